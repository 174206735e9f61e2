//! The embedded JIS X 0208 / JIS X 0213 sets (mappings/jis-sets.txt, used by
//! `ikou profile`) against Python's codecs, for every code point.

use ikou::profile::charset::{JisSet, class};
use std::process::Command;

/// Prints `<hex> <0208|0213>` for every code point in a set, straight from the codecs.
const ORACLE: &str = r#"
import sys
# The JIS forms of the CP932/JIS variant pairs (ikou's --variants jis), which Python
# maps differently for one cell; see mappings/gen_jis_sets.py.
VARIANT_JIS = {0x301C, 0x2016, 0x2212, 0x2014, 0x00A2, 0x00A3, 0x00AC}
def ok(c, codec):
    try:
        c.encode(codec)
        return True
    except UnicodeEncodeError:
        return False
out = []
for cp in range(0x80, 0x110000):
    if 0xD800 <= cp <= 0xDFFF:
        continue
    c = chr(cp)
    if cp in VARIANT_JIS or ok(c, "shift_jis"):
        out.append(f"{cp:X} 0208")
    elif ok(c, "shift_jis_2004"):
        out.append(f"{cp:X} 0213")
sys.stdout.write("\n".join(out) + "\n")
"#;

#[test]
fn every_code_point_is_in_the_set_python_says() {
    let out = match Command::new("python3").args(["-c", ORACLE]).output() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("SKIPPED: python3 is not available ({e}); this oracle test needs it");
            return;
        }
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut want = std::collections::HashMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let (cp, set) = line.split_once(' ').unwrap();
        let set = if set == "0208" {
            JisSet::X0208
        } else {
            JisSet::X0213
        };
        want.insert(u32::from_str_radix(cp, 16).unwrap(), set);
    }
    assert!(
        want.len() > 11_000,
        "the codecs know {} characters",
        want.len()
    );
    let mut wrong = Vec::new();
    for cp in 0x80..0x110000u32 {
        let Some(c) = char::from_u32(cp) else {
            continue;
        };
        let expected = want.get(&cp).copied().unwrap_or(JisSet::Outside);
        if class(c) != expected {
            wrong.push(format!(
                "U+{cp:04X}: ikou {:?}, Python {expected:?}",
                class(c)
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} differ: {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(20)]
    );
    for c in ['\0', 'A', '\\', '~', '\u{7F}'] {
        assert_eq!(class(c), JisSet::X0208, "ASCII is always in");
    }
}
