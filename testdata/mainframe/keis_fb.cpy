      * 住民記録（KEIS83、RECFM=FB・合成データ）: keis_fb.dat の 88 バイト。
       01  JUKI-KEIS.
           05  宛名番号          PIC 9(10).
           05  氏名              PIC N(10).
           05  氏名カナ          PIC X(20).
           05  住所              PIC X(26).
           05  税額              PIC S9(7) COMP-3.
           05  予備              PIC X(8).
