//! `rsadecrypt`: text encrypted with RSA (PKCS #1 v1.5), such as the
//! administrator password a cloud gives for a new Windows host.

use super::{arg, arity};
use crate::lang::convert;
use crate::lang::value::Value;
use base64::Engine as _;
use rsa::PrivateKey;
use rsa::traits::Decryptor as _;

/// `rsadecrypt(ciphertext_base64, private_key_pem)`. The key is PEM, PKCS #1
/// (`RSA PRIVATE KEY`) or PKCS #8 (`PRIVATE KEY`).
pub fn rsadecrypt(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, 2)?;
    let encoded = convert::to_string(arg(args, 0))?;
    let pem = convert::to_string(arg(args, 1))?;
    let ciphertext = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| {
            format!("failed to decode input {encoded:?}: cipher text must be base64-encoded")
        })?;
    let key = private_key(&pem)?;
    let plain = rsa::pkcs1v15::DecryptingKey::new(key)
        .decrypt(&ciphertext)
        .map_err(|e| format!("failed to decrypt: {e}"))?;
    // A wrong key yields random bytes rather than an error (the padding
    // check does not tell, by design); they are rarely UTF-8.
    String::from_utf8(plain)
        .map(Value::String)
        .map_err(|_| "failed to decrypt: the result is not text (is it the right key?)".into())
}

fn private_key(pem: &str) -> Result<PrivateKey, String> {
    use pkcs1::DecodeRsaPrivateKey as _;
    use pkcs8::DecodePrivateKey as _;
    let pem = pem.trim();
    let parsed = if pem.starts_with("-----BEGIN RSA PRIVATE KEY-----") {
        PrivateKey::from_pkcs1_pem(pem).map_err(|e| e.to_string())
    } else if pem.starts_with("-----BEGIN PRIVATE KEY-----") {
        PrivateKey::from_pkcs8_pem(pem).map_err(|e| e.to_string())
    } else {
        Err("no key found (expected PEM: -----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)".into())
    };
    parsed.map_err(|e| format!("invalid private key: {e}"))
}
