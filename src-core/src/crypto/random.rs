//! The operating system's CSPRNG, and what Coffer makes from it.

/// Fills `buf` from the OS CSPRNG. A machine without one cannot run a vault.
pub fn fill(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the operating system's random number generator failed");
}

/// A uniformly random index below `n` (rejection sampling, no modulo bias).
pub fn below(n: usize) -> usize {
    assert!(n > 0 && n <= u32::MAX as usize);
    let n = n as u32;
    let zone = u32::MAX - (u32::MAX % n);
    loop {
        let mut b = [0u8; 4];
        fill(&mut b);
        let v = u32::from_be_bytes(b);
        if v < zone {
            return (v % n) as usize;
        }
    }
}

/// `len` characters drawn uniformly from `alphabet`.
pub fn string_from(alphabet: &[char], len: usize) -> String {
    (0..len).map(|_| alphabet[below(alphabet.len())]).collect()
}

/// A random lowercase hex string of `bytes` bytes.
pub fn hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A version 4 UUID, as AWS uses for version ids.
pub fn uuid() -> String {
    let mut b = [0u8; 16];
    fill(&mut b);
    uuid::Builder::from_random_bytes(b).into_uuid().to_string()
}

/// Shuffles in place (Fisher–Yates).
pub fn shuffle<T>(v: &mut [T]) {
    for i in (1..v.len()).rev() {
        v.swap(i, below(i + 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_stays_in_range_and_reaches_every_value() {
        let mut seen = [false; 7];
        for _ in 0..2000 {
            seen[below(7)] = true;
        }
        assert!(seen.iter().all(|s| *s));
    }

    #[test]
    fn uuids_are_version_4() {
        let u = uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(u, uuid());
    }
}
