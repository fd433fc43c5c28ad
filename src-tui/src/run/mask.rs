//! Hides injected values in a program's output, as `op run` does: every occurrence of a
//! value becomes [`CONCEALED`]. The output is streamed: what cannot be the start of a value
//! is passed on at once (a prompt without a newline shows), and only a tail that could still
//! grow into one is held back until the next read, so a value split across two writes is
//! still caught.

use std::io::{Read, Write};

use zeroize::Zeroizing;

/// What stands in for a value.
pub const CONCEALED: &[u8] = b"<concealed by coffer>";

/// The streaming replacer over one output stream.
pub struct Masker {
    /// Longest first, so that the longest value wins where one contains another.
    values: Vec<Zeroizing<Vec<u8>>>,
    held: Zeroizing<Vec<u8>>,
}

impl Masker {
    /// Masks the non-empty `values`.
    pub fn new<'a>(values: impl IntoIterator<Item = &'a str>) -> Self {
        let mut values: Vec<Zeroizing<Vec<u8>>> = values
            .into_iter()
            .filter(|v| !v.is_empty())
            .map(|v| Zeroizing::new(v.as_bytes().to_vec()))
            .collect();
        values.sort_by(|a, b| {
            b.len()
                .cmp(&a.len())
                .then_with(|| a.as_slice().cmp(b.as_slice()))
        });
        values.dedup();
        Self {
            values,
            held: Zeroizing::new(Vec::new()),
        }
    }

    /// Takes the next chunk of output; returns what can be passed on now.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<u8> {
        let mut buf = Zeroizing::new(std::mem::take(&mut *self.held));
        buf.extend_from_slice(chunk);
        let mut out = Vec::with_capacity(buf.len());
        let mut i = 0;
        while i < buf.len() {
            let rest = &buf[i..];
            // A tail that a longer value could still continue is held for the next chunk.
            if self
                .values
                .iter()
                .any(|v| v.len() > rest.len() && v.starts_with(rest))
            {
                self.held.extend_from_slice(rest);
                return out;
            }
            match self.values.iter().find(|v| rest.starts_with(v)) {
                Some(v) => {
                    out.extend_from_slice(CONCEALED);
                    i += v.len();
                }
                None => {
                    out.push(buf[i]);
                    i += 1;
                }
            }
        }
        out
    }

    /// The end of the stream: what was held back was no value after all.
    pub fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut *self.held)
    }
}

/// Copies `from` to `to` through a [`Masker`] until `from` ends, flushing after each read.
pub fn pump(mut from: impl Read, mut to: impl Write, mut masker: Masker) -> std::io::Result<()> {
    let mut buf = Zeroizing::new(vec![0u8; 8192]);
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        to.write_all(&masker.feed(&buf[..n]))?;
        to.flush()?;
    }
    to.write_all(&masker.finish())?;
    to.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(values: &[&str], chunks: &[&str]) -> String {
        let mut m = Masker::new(values.iter().copied());
        let mut out = Vec::new();
        for c in chunks {
            out.extend(m.feed(c.as_bytes()));
        }
        out.extend(m.finish());
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_value_is_concealed_wherever_it_appears() {
        assert_eq!(
            run(&["hunter2"], &["pw=hunter2\nagain hunter2!"]),
            "pw=<concealed by coffer>\nagain <concealed by coffer>!"
        );
    }

    #[test]
    fn a_value_split_across_writes_is_concealed() {
        assert_eq!(
            run(&["hunter2"], &["pw=hun", "t", "er2 done"]),
            "pw=<concealed by coffer> done"
        );
    }

    #[test]
    fn text_that_cannot_start_a_value_passes_at_once() {
        let mut m = Masker::new(["hunter2"]);
        assert_eq!(m.feed(b"Password: "), b"Password: ");
        // "hu" could begin the value: held until more arrives.
        assert_eq!(m.feed(b"a hu"), b"a ");
        assert_eq!(m.feed(b"m"), b"hum");
        assert_eq!(m.feed(b" hun"), b" ");
        assert_eq!(m.finish(), b"hun");
    }

    #[test]
    fn the_longest_value_wins_and_empty_values_are_ignored() {
        assert_eq!(
            run(&["ab", "abc", ""], &["xab", "cx abx"]),
            "x<concealed by coffer>x <concealed by coffer>x"
        );
        assert_eq!(run(&[], &["plain"]), "plain");
    }

    #[test]
    fn pump_masks_a_stream_to_its_end() {
        let mut out = Vec::new();
        pump(
            &b"the key is s3cret."[..],
            &mut out,
            Masker::new(["s3cret"]),
        )
        .unwrap();
        assert_eq!(out, b"the key is <concealed by coffer>.");
    }
}
