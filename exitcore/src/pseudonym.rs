//! Pseudonymisation: employee and manager ids replaced by a keyed hash, so an
//! analysis dataset carries no real identifiers.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{Error, ExitRecord, Result};

/// Replaces identifiers with HMAC-SHA256 of the id under a caller's secret key.
///
/// The same key maps the same id to the same pseudonym (so datasets can be
/// joined and duplicates found); without the key a pseudonym cannot be
/// reversed or recomputed from a guessed id. Keep the key out of the data.
///
/// ```
/// use exitcore::Pseudonymiser;
/// let p = Pseudonymiser::new(b"a secret key of at least 16 bytes").unwrap();
/// let a = p.pseudonymise("E1234");
/// assert_eq!(a, p.pseudonymise("E1234"));
/// assert_ne!(a, p.pseudonymise("E1235"));
/// assert!(a.starts_with("p_") && a.len() == 2 + 32);
/// assert!(Pseudonymiser::new(b"short").is_err());
/// ```
#[derive(Clone)]
pub struct Pseudonymiser {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for Pseudonymiser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.write_str("Pseudonymiser { .. }")
    }
}

impl Pseudonymiser {
    /// Shortest key accepted, in bytes: shorter keys can be brute-forced.
    pub const MIN_KEY_LEN: usize = 16;

    /// A pseudonymiser with `key`; fails when the key is shorter than
    /// [`Pseudonymiser::MIN_KEY_LEN`] bytes.
    pub fn new(key: &[u8]) -> Result<Self> {
        let mac = keyed_mac(key, Self::MIN_KEY_LEN, "pseudonymisation")?;
        Ok(Pseudonymiser { mac })
    }

    /// The pseudonym of `id`: `p_` followed by the first 128 bits of
    /// HMAC-SHA256(key, id) in hex. Surrounding whitespace is ignored, so
    /// `" E1 "` and `"E1"` get the same pseudonym.
    pub fn pseudonymise(&self, id: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(id.trim().as_bytes());
        let digest = mac.finalize().into_bytes();
        format!("p_{}", hex::encode(&digest[..16]))
    }

    /// Replaces the respondent and manager ids of `record` in place.
    pub fn apply(&self, record: &mut ExitRecord) {
        record.respondent = self.pseudonymise(&record.respondent);
        if let Some(m) = &record.context.manager {
            record.context.manager = Some(self.pseudonymise(m));
        }
    }
}

/// HMAC-SHA256 under a caller's secret `key` of at least `min_len` bytes
/// (shorter keys can be brute-forced); `purpose` names the key in the error.
pub(crate) fn keyed_mac(key: &[u8], min_len: usize, purpose: &str) -> Result<Hmac<Sha256>> {
    if key.len() < min_len {
        return Err(Error::argument(
            "key",
            format!(
                "a {purpose} key needs at least {min_len} bytes, got {}",
                key.len()
            ),
        ));
    }
    Hmac::<Sha256>::new_from_slice(key).map_err(|e| Error::argument("key", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_rfc_4231_test_case_2_prefix() {
        // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
        // The key is below our minimum, so build the MAC directly to check the primitive.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let hex = hex::encode(mac.finalize().into_bytes());
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // And our pseudonym is that digest's first 16 bytes when the key is long enough.
        let key = b"0123456789abcdef0123";
        let p = Pseudonymiser::new(key).unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        mac.update(b"E1");
        assert_eq!(
            p.pseudonymise(" E1 "),
            format!("p_{}", &hex::encode(mac.finalize().into_bytes())[..32])
        );
    }
}
