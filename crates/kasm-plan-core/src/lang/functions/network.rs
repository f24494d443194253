//! IP network functions: `cidrhost`, `cidrnetmask`, `cidrsubnet`,
//! `cidrsubnets`, with Terraform's semantics (IPv4 and IPv6; an address with
//! host bits set names its network).

use super::{arg, arity};
use crate::lang::convert;
use crate::lang::value::Value;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A network: its first address as a number, its prefix length, and its family's width.
#[derive(Clone, Copy)]
struct Prefix {
    base: u128,
    len: u32,
    bits: u32,
}

impl Prefix {
    fn parse(text: &str) -> Result<Prefix, String> {
        let (addr, len) = text
            .split_once('/')
            .ok_or_else(|| format!("invalid CIDR address: {text}"))?;
        let ip: IpAddr = addr
            .parse()
            .map_err(|_| format!("invalid CIDR address: {text}"))?;
        let (value, bits) = match ip {
            IpAddr::V4(v) => (u128::from(u32::from(v)), 32),
            IpAddr::V6(v) => (u128::from(v), 128),
        };
        let len: u32 = len
            .parse()
            .ok()
            .filter(|l| *l <= bits)
            .ok_or_else(|| format!("invalid CIDR address: {text}"))?;
        Ok(Prefix {
            base: value & mask(bits, len),
            len,
            bits,
        })
    }

    /// An address of this family, as text.
    fn address(&self, value: u128) -> String {
        if self.bits == 32 {
            Ipv4Addr::from(u32::try_from(value).unwrap_or(u32::MAX)).to_string()
        } else {
            Ipv6Addr::from(value).to_string()
        }
    }
}

/// The network mask of a prefix length: the top `len` of `bits` bits set.
fn mask(bits: u32, len: u32) -> u128 {
    if len == 0 {
        return 0;
    }
    let ones = if len >= 128 {
        u128::MAX
    } else {
        (1u128 << len) - 1
    };
    ones << (bits - len)
}

/// Every bit of a `bits`-wide address set.
fn all(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

fn prefix(args: &[Value]) -> Result<Prefix, String> {
    Prefix::parse(&convert::to_string(arg(args, 0))?)
}

fn integer(args: &[Value], i: usize) -> Result<i64, String> {
    convert::to_integer(arg(args, i)).map_err(|m| format!("argument {}: {m}", i + 1))
}

/// `cidrhost(prefix, hostnum)`: one address of the network; a negative
/// number counts from its end.
pub fn cidrhost(args: &[Value]) -> Result<Value, String> {
    arity(args, 2, 2)?;
    let p = prefix(args)?;
    let host = integer(args, 1)?;
    let size: u128 = 1u128.checked_shl(p.bits - p.len).unwrap_or(u128::MAX);
    let magnitude = u128::from(host.unsigned_abs());
    let offset = match host {
        h if h >= 0 && magnitude < size => magnitude,
        h if h < 0 && magnitude <= size => size - magnitude,
        _ => {
            return Err(format!(
                "prefix of {} bits cannot accommodate a host numbered {host}",
                p.len
            ));
        }
    };
    Ok(Value::String(p.address(p.base + offset)))
}

/// `cidrnetmask(prefix)`: the IPv4 network mask in dotted form.
pub fn cidrnetmask(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, 1)?;
    let p = prefix(args)?;
    if p.bits != 32 {
        return Err("only IPv4 networks have netmasks".into());
    }
    Ok(Value::String(p.address(mask(32, p.len))))
}

/// The subnet `number` of `p` extended by `newbits` bits.
fn subnet(p: Prefix, newbits: i64, number: i64) -> Result<Prefix, String> {
    let newbits = u32::try_from(newbits).map_err(|_| "new bits must be non-negative".to_owned())?;
    let len = p.len + newbits;
    if len > p.bits {
        return Err(format!(
            "insufficient address space to extend prefix of {} by {newbits}",
            p.len
        ));
    }
    let number = u128::try_from(number)
        .ok()
        .filter(|n| newbits >= 128 || *n < (1u128 << newbits))
        .ok_or_else(|| {
            format!("prefix extension of {newbits} does not accommodate a subnet numbered {number}")
        })?;
    let shift = p.bits - len;
    let offset = if shift >= 128 { 0 } else { number << shift };
    Ok(Prefix {
        base: p.base | offset,
        len,
        bits: p.bits,
    })
}

fn cidr(p: Prefix) -> Value {
    Value::String(format!("{}/{}", p.address(p.base), p.len))
}

/// `cidrsubnet(prefix, newbits, netnum)`.
pub fn cidrsubnet(args: &[Value]) -> Result<Value, String> {
    arity(args, 3, 3)?;
    subnet(prefix(args)?, integer(args, 1)?, integer(args, 2)?).map(cidr)
}

/// `cidrsubnets(prefix, newbits...)`: consecutive subnets of the given sizes,
/// each aligned to its own size.
pub fn cidrsubnets(args: &[Value]) -> Result<Value, String> {
    arity(args, 1, usize::MAX)?;
    let p = prefix(args)?;
    let mut next: u128 = p.base;
    let mut out = Vec::new();
    for i in 1..args.len() {
        let newbits = integer(args, i)?;
        let newbits =
            u32::try_from(newbits).map_err(|_| "new bits must be non-negative".to_owned())?;
        let len = p.len + newbits;
        if len > p.bits {
            return Err(format!(
                "insufficient address space to extend prefix of {} by {newbits}",
                p.len
            ));
        }
        let step = 1u128.checked_shl(p.bits - len).unwrap_or(0);
        // Align up to this subnet's size.
        let start = if step == 0 {
            next
        } else {
            next.div_ceil(step) * step
        };
        let end = p.base | (!mask(p.bits, p.len) & all(p.bits));
        if start > end || (step > 0 && start.saturating_add(step - 1) > end) {
            return Err(format!(
                "not enough remaining address space for a subnet with a prefix of {len} bits after {}",
                out.last()
                    .map_or_else(|| p.address(p.base), |v: &Value| format!("{v}"))
            ));
        }
        out.push(cidr(Prefix {
            base: start,
            len,
            bits: p.bits,
        }));
        next = start + step;
    }
    Ok(Value::List(out))
}
