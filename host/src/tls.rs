//! Which server certificates the client trusts.
//!
//! - By default, the system's roots (as any HTTPS client).
//! - `--ca-cert FILE`: the certificates in the file, as curl's `--cacert`
//!   does: as CAs of the server's chain, and a server certificate that *is* one
//!   of them is trusted as it stands, even self-signed, `CA:TRUE` or CN-only
//!   (what Kasm's installer makes).
//! - `--tls-fingerprint sha256:HEX`: the server certificate whose SHA-256
//!   fingerprint is pinned, and no other.
//!
//! In every case the TLS handshake is still verified against the certificate's
//! key, so presenting a copy of a trusted certificate is not enough. A refused
//! certificate's error names its fingerprint, so a user can pin it knowingly.

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Trust that cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// The `--ca-cert` file cannot be read.
    #[error("cannot read --ca-cert {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The `--ca-cert` file holds no usable certificate.
    #[error("--ca-cert {}: {detail}", .path.display())]
    CaCert {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A fingerprint that is not `sha256:` and 64 hex digits.
    #[error(
        "--tls-fingerprint `{0}`: expected sha256: and 64 hex digits (colons allowed), as `openssl x509 -noout -fingerprint -sha256` prints them"
    )]
    Fingerprint(String),
    /// rustls refused the configuration.
    #[error("cannot set up TLS: {0}")]
    Tls(#[from] rustls::Error),
}

/// The client's TLS settings for the trust the options ask for.
pub fn client_config(
    ca_cert: Option<&Path>,
    fingerprints: &[String],
) -> Result<rustls::ClientConfig, TrustError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let given = ca_cert
        .map(read_certificates)
        .transpose()?
        .unwrap_or_default();
    let pins = fingerprints
        .iter()
        .map(|f| parse_fingerprint(f))
        .collect::<Result<Vec<_>, _>>()?;
    let chain = match (&given[..], &pins[..]) {
        ([], []) => Chain::System(std::sync::OnceLock::new()),
        ([], _) => Chain::None,
        (certs, _) => {
            let mut roots = RootCertStore::empty();
            roots.add_parsable_certificates(certs.iter().cloned());
            let verifier =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
                    .build()
                    .map_err(|e| rustls::Error::General(e.to_string()))?;
            Chain::Given(verifier)
        }
    };
    let verifier = Arc::new(Verifier {
        exact: given,
        pins,
        chain,
        provider: Arc::clone(&provider),
    });
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

/// The certificates of a PEM file (at least one).
fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TrustError> {
    let pem = std::fs::read(path).map_err(|source| TrustError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let invalid = |detail: String| TrustError::CaCert {
        path: path.to_path_buf(),
        detail,
    };
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(format!("not a PEM certificate: {e}")))?;
    if certs.is_empty() {
        return Err(invalid("no PEM certificate in the file".into()));
    }
    Ok(certs)
}

/// `sha256:` and 64 hex digits, colons and case as `openssl` prints them allowed.
pub fn parse_fingerprint(text: &str) -> Result<[u8; 32], TrustError> {
    let bad = || TrustError::Fingerprint(text.to_owned());
    let lower = text.trim().to_ascii_lowercase();
    let hex: String = lower
        .strip_prefix("sha256:")
        .or_else(|| lower.strip_prefix("sha256 fingerprint="))
        .ok_or_else(bad)?
        .chars()
        .filter(|c| *c != ':')
        .collect();
    if hex.len() != 64 {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        let pair = hex.get(2 * i..2 * i + 2).ok_or_else(bad)?;
        *byte = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
    }
    Ok(out)
}

/// A certificate's SHA-256 fingerprint as `sha256:` and hex digits.
pub fn fingerprint(cert: &[u8]) -> String {
    let hex: String = Sha256::digest(cert)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

#[derive(Debug)]
struct Verifier {
    /// Certificates trusted as they stand when the server presents exactly one of them.
    exact: Vec<CertificateDer<'static>>,
    /// Pinned fingerprints of the server's certificate.
    pins: Vec<[u8; 32]>,
    chain: Chain,
    provider: Arc<CryptoProvider>,
}

/// Chain verification.
#[derive(Debug)]
enum Chain {
    /// Only pins trust.
    None,
    /// The given CAs.
    Given(Arc<dyn ServerCertVerifier>),
    /// The system's roots, read at the first handshake: a plain `http://`
    /// server, or a run that sends no request, never reads them.
    System(std::sync::OnceLock<Result<Arc<dyn ServerCertVerifier>, rustls::Error>>),
}

impl Chain {
    fn verifier(
        &self,
        provider: &Arc<CryptoProvider>,
    ) -> Result<Option<Arc<dyn ServerCertVerifier>>, rustls::Error> {
        match self {
            Chain::None => Ok(None),
            Chain::Given(verifier) => Ok(Some(Arc::clone(verifier))),
            Chain::System(cell) => cell
                .get_or_init(|| {
                    let verifier = rustls_platform_verifier::Verifier::new(Arc::clone(provider))?;
                    Ok(Arc::new(verifier) as Arc<dyn ServerCertVerifier>)
                })
                .clone()
                .map(Some),
        }
    }
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let digest: [u8; 32] = Sha256::digest(end_entity.as_ref()).into();
        if self.exact.iter().any(|c| c.as_ref() == end_entity.as_ref())
            || self.pins.contains(&digest)
        {
            return Ok(ServerCertVerified::assertion());
        }
        let why = match self.chain.verifier(&self.provider)? {
            Some(chain) => {
                match chain.verify_server_cert(
                    end_entity,
                    intermediates,
                    server_name,
                    ocsp_response,
                    now,
                ) {
                    Ok(verified) => return Ok(verified),
                    Err(e) => e.to_string(),
                }
            }
            None => "it is not the pinned certificate (--tls-fingerprint)".to_owned(),
        };
        let fp = fingerprint(end_entity.as_ref());
        Err(rustls::Error::General(format!(
            "the server's certificate is not trusted: {why}. Its fingerprint is {fp}; if that is your Kasm server's certificate, trust it with --ca-cert FILE or --tls-fingerprint {fp}"
        )))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_read_as_openssl_prints_them() {
        let hex = "AB:".repeat(31) + "AB";
        assert_eq!(
            parse_fingerprint(&format!("sha256:{hex}")).ok(),
            Some([0xab; 32])
        );
        assert_eq!(
            parse_fingerprint(&format!("SHA256 Fingerprint={hex}")).ok(),
            Some([0xab; 32])
        );
        assert!(parse_fingerprint("sha1:abcd").is_err());
        assert!(parse_fingerprint("sha256:abcd").is_err());
        assert!(parse_fingerprint(&format!("sha256:{}", "zz".repeat(32))).is_err());
    }
}
