000100*================================================================
000200* 住民基本台帳 個人レコード（合成データ：ikou のテスト用）
000300* RECFM=FB  汎用機の固定長ファイル。漢字項目は PIC N。
000400*================================================================
000500  01  住基個人レコード.                                           JUKIKJN
000600      05  宛名番号                PIC 9(15).                      JUKIKJN
000700      05  世帯番号                PIC 9(15).                      JUKIKJN
000800      05  住民票コード            PIC 9(11).                      JUKIKJN
000900      05  個人番号                PIC 9(12).                      JUKIKJN
001000      05  氏名                    PIC N(20).                      JUKIKJN
001100      05  氏名カナ                PIC X(40).                      JUKIKJN
001200      05  旧氏                    PIC N(10).                      JUKIKJN
001300      05  生年月日                PIC 9(8).                       JUKIKJN
001400      05  生年月日Ｒ  REDEFINES 生年月日.                         JUKIKJN
001500          10  生年                PIC 9(4).                       JUKIKJN
001600          10  生月日              PIC 9(4).                       JUKIKJN
001700      05  性別                    PIC X.                          JUKIKJN
001800          88  男                  VALUE '1'.                      JUKIKJN
001900          88  女                  VALUE '2'.                      JUKIKJN
002000      05  続柄コード              PIC X(2).                       JUKIKJN
002100      05  住所.                                                   JUKIKJN
002200          10  郵便番号            PIC 9(7).                       JUKIKJN
002300          10  住所漢字            PIC N(40).                      JUKIKJN
002400          10  方書                PIC N(20).                      JUKIKJN
002500      05  FILLER                  PIC X(5).                       JUKIKJN
002600D    05  デバッグ用              PIC X(99).
002700      05  異動履歴  OCCURS 3 TIMES.                               JUKIKJN
002800          10  異動事由コード      PIC 9(2).                       JUKIKJN
002900              88  転入            VALUE 01.                       JUKIKJN
003000              88  出生            VALUE 02.                       JUKIKJN
003100              88  転居            VALUE 11 THRU 13.               JUKIKJN
003200          10  異動年月日          PIC 9(8).                       JUKIKJN
003300      05  手数料                  PIC S9(5)     COMP-3.           JUKIKJN
003400      05  調整額                  PIC S9(5)V99.                   JUKIKJN
003500      05  FILLER                  PIC X(10).                      JUKIKJN
