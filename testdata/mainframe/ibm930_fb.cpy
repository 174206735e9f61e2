      * 住民記録（IBM930、RECFM=FB・合成データ）: ibm930_fb.dat の 88 バイト。
      * ikou layout import ibm930_fb.cpy --key 宛名番号 で ibm930_fb.toml と
      * 同じ位置・長さ・型のレイアウトになる（氏名カナの kana 型は手で付ける）。
       01  JUKI-IBM930.
           05  宛名番号          PIC 9(10).
           05  氏名              PIC N(10).
           05  氏名カナ          PIC X(20).
           05  住所              PIC X(26).
           05  税額              PIC S9(9) COMP-3.
           05  世帯人数          PIC S9(4) COMP.
           05  予備              PIC X(5).
