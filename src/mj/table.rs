//! The source tables of MJ縮退マップ, in the order of authority ikou follows.
//!
//! A degenerate (縮退) character is only as good as the table that proposes it: a
//! JIS 包摂規準 unification keeps the same character, while 読み字形による類推 is a guess.
//! Output that used the map must say which table it came from, so the table is a
//! first-class value here, not a string.

/// One source table of MJ縮退マップ (`表` column of mjsm.tsv). The declaration order is
/// the order of authority ikou uses to pick the `--ivs never` character:
///
/// 1. JIS包摂規準UCS統合規則 (the same character under JIS X 0213's unification rules)
/// 2. 法務省告示582号別表第四 (一, then 二)
/// 3. 戸籍統一文字情報 親字・正字
/// 4. 民一2842号通達別表 誤字俗字正字一覧表 (俗字, then 無印, then 別字)
/// 5. 民二5202号通知別表 正字俗字等対照表
/// 6. 辞書類等による関連字
/// 7. 読み字形による類推
///
/// Within 2 and 4 the sub-tables never compete for the same glyph in MJ縮退マップ
/// Ver.1.2.0 except 5 glyphs that have a better candidate in table 3 anyway, so their
/// relative order does not change any output; it is fixed here to stay deterministic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    JisHosetsu,
    Kokuji582_1,
    Kokuji582_2,
    KosekiOyaji,
    Tsutatsu2842Zoku,
    Tsutatsu2842Muin,
    Tsutatsu2842Betsu,
    Tsuchi5202,
    Jisho,
    Yomi,
}

impl Table {
    /// All tables, in order of authority.
    pub const ALL: [Table; 10] = [
        Table::JisHosetsu,
        Table::Kokuji582_1,
        Table::Kokuji582_2,
        Table::KosekiOyaji,
        Table::Tsutatsu2842Zoku,
        Table::Tsutatsu2842Muin,
        Table::Tsutatsu2842Betsu,
        Table::Tsuchi5202,
        Table::Jisho,
        Table::Yomi,
    ];

    /// The table's name exactly as MJ縮退マップ writes it (the `表` column).
    pub fn name(self) -> &'static str {
        match self {
            Table::JisHosetsu => "JIS包摂規準UCS統合規則",
            Table::Kokuji582_1 => "法務省告示582号別表第四_一",
            Table::Kokuji582_2 => "法務省告示582号別表第四_二",
            Table::KosekiOyaji => "戸籍統一文字情報_親字正字",
            Table::Tsutatsu2842Zoku => "民一2842号通達別表_誤字俗字正字一覧表_俗字",
            Table::Tsutatsu2842Muin => "民一2842号通達別表_誤字俗字正字一覧表_無印",
            Table::Tsutatsu2842Betsu => "民一2842号通達別表_誤字俗字正字一覧表_別字",
            Table::Tsuchi5202 => "民二5202号通知別表_正字俗字等対照表",
            Table::Jisho => "辞書類等による関連字",
            Table::Yomi => "読み字形による類推",
        }
    }

    /// The short ASCII id used in `mappings/mjsm.tsv` (keeps the file small and diffable).
    pub fn id(self) -> &'static str {
        match self {
            Table::JisHosetsu => "jis",
            Table::Kokuji582_1 => "582-1",
            Table::Kokuji582_2 => "582-2",
            Table::KosekiOyaji => "koseki",
            Table::Tsutatsu2842Zoku => "2842-zoku",
            Table::Tsutatsu2842Muin => "2842-muin",
            Table::Tsutatsu2842Betsu => "2842-betsu",
            Table::Tsuchi5202 => "5202",
            Table::Jisho => "jisho",
            Table::Yomi => "yomi",
        }
    }

    pub fn from_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    pub fn from_id(id: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_round_trip_in_order() {
        for (i, t) in Table::ALL.into_iter().enumerate() {
            assert_eq!(Table::from_id(t.id()), Some(t));
            assert_eq!(Table::from_name(t.name()), Some(t));
            if i > 0 {
                assert!(Table::ALL[i - 1] < t);
            }
        }
    }
}
