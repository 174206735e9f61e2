//! Inputs the fuzz targets (fuzz/) found to break a promise of the library, kept as
//! regular tests. Each names the target and the input (hex) it was found with.

mod common;

use ikou::decode::{Encoding, decode};
use ikou::split::{ChunkReader, Flaw, Framing, SplitConfig};

/// fuzz target `decode` (its invariant, seen while writing it), input 01 81 60 80
/// (shift_jis; 〜 then a lone 0x80).
/// `decode` promises that on error the buffer holds the text decoded before the
/// bad bytes; for shift_jis that text must be in the JIS X 0213 forms, as it is
/// when the same bytes decode without error. `ikou profile` takes stock of the
/// characters of an undecodable record from that text, so it counted ～ U+FF5E
/// (the CP932 form) for a shift_jis file.
#[test]
fn shift_jis_text_before_an_error_has_the_jis_forms() {
    let mut whole = String::new();
    decode(Encoding::ShiftJis, b"\x81\x60", &mut whole).unwrap();
    assert_eq!(whole, "\u{301C}");
    let mut before_error = String::new();
    let err = decode(Encoding::ShiftJis, b"\x81\x60\x80", &mut before_error).unwrap_err();
    assert_eq!(err.offset, 2);
    assert_eq!(before_error, whole, "the text before the bad byte");
}

/// fuzz target `gaiji_table`, input (hex) 00 30 78 46 C3 A9 34 09 4D 4A 30 30 30 30 30 31 0A
/// (cp932; the table line `0xFé4<TAB>MJ000001`). A raw-byte source with a
/// non-ASCII character among its hex digits made parse_source slice the text
/// inside that character: `ikou mappings check` (and convert/profile --gaiji)
/// panicked (exit 101) instead of reporting a bad source on line 1.
/// fuzz target `decode`, input 32 03 8F 0B 98 0E 81 49 (ibm1399): an item that ends
/// in an open double-byte run is refused at its SO, but the buffer also held the
/// characters after the SO, so the "text before the error" was not the decoding of
/// the bytes before it. Now the text stops at the SO, as for every other error.
#[test]
fn an_unclosed_shift_leaves_the_text_before_its_shift_out() {
    for enc in [
        Encoding::Ibm930,
        Encoding::Ibm939,
        Encoding::Ibm1390,
        Encoding::Ibm1399,
    ] {
        let bytes = b"\xC1\x0E\x45\x41";
        let mut text = String::new();
        let e = decode(enc, bytes, &mut text).unwrap_err();
        let mut before = String::new();
        decode(enc, &bytes[..e.offset], &mut before).unwrap();
        assert_eq!((e.offset, text), (1, before), "{enc}");
    }
}

#[test]
fn a_non_ascii_character_in_a_raw_byte_source_is_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("t.tsv");
    std::fs::write(&table, "0xFé4\tMJ000001\n").unwrap();
    let (code, stdout, stderr) = common::run(&["mappings", "check", common::s(&table)]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains(":1: error: source") && stdout.contains("[bad-source]"),
        "{stdout}"
    );
}

/// (file offset, bytes, flaw)
type Rec = (u64, Vec<u8>, Option<Flaw>);

/// All records of `input`, and whether the splitter saw an EOF marker.
fn split(input: &[u8], chunk_bytes: usize) -> (Vec<Rec>, bool) {
    let framing = Framing::Fixed {
        length: 4,
        newline: false,
    };
    let cfg =
        SplitConfig::new(framing, Encoding::Cp932, chunk_bytes, 1 << 20).expect("valid sizes");
    let mut r = ChunkReader::new(input, cfg);
    let mut out = Vec::new();
    while let Some(ch) = r.next_chunk().unwrap() {
        for s in &ch.records {
            out.push((
                ch.offset + s.start as u64,
                ch.data[s.start..s.end].to_vec(),
                s.flaw,
            ));
        }
    }
    (
        out,
        r.finish().expect("hashing here cannot fail").eof_marker,
    )
}

/// fuzz target `split_records`, input (hex) 02 00 53 09 1A: fixed records of 4
/// bytes without line ends, a file of 65,540 bytes 0x1A. Trailing 0x1A (EOF
/// markers) are dropped only from the last read of the file: markers that reach
/// back before it were already cut into records. So whether the end of a file is
/// markers or records depends on --chunk-bytes (and on where a 64 KiB read ends).
/// The same holds for a fixed file with a line end whose last record is followed
/// by markers straddling a read.
#[test]
fn trailing_eof_markers_do_not_depend_on_the_chunk_size() {
    let mut input = b"abcd".repeat(10);
    input.extend(std::iter::repeat_n(0x1A, 65_540));
    let (small, small_marker) = split(&input, 512);
    let (big, big_marker) = split(&input, 1 << 20);
    assert_eq!(big.len(), 10, "the 10 records before the markers");
    assert!(big_marker);
    assert_eq!(
        (small.len(), small_marker),
        (big.len(), big_marker),
        "records with --chunk-bytes 512 against 1 MiB"
    );
}

/// identify_font found a font whose format-13 cmap trips a `debug_assert!` inside
/// ttf-parser (parser.rs:770); the release build (what ships) must read it as a
/// font without the asked glyphs or refuse it, never panic.
#[test]
fn a_vendor_font_with_a_broken_format_13_cmap_is_read_without_a_panic() {
    let data = std::fs::read(common::root().join("testdata/identify/fuzz-crash-cmap13.bin"))
        .expect("fixture");
    let (&pick, rest) = data.split_first().expect("non-empty fixture");
    assert_eq!(pick & 1, 0, "the fixture is a font case of the fuzz target");
    for codes in [
        ikou::identify::source::Codes::all_gaiji(),
        ikou::identify::source::Codes::parse("U+E000-U+E0FF").expect("range"),
    ] {
        let read = std::panic::catch_unwind(|| {
            ikou::identify::source::ttf::parse(rest, &codes).map(|g| g.glyphs.len())
        });
        assert!(read.is_ok(), "ttf::parse panicked on the fuzz input");
    }
}
