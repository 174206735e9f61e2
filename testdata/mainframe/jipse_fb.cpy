      * 住民記録（JIPS(E)、RECFM=FB・合成データ）: jipse_fb.dat の 88 バイト。
       01  JUKI-JIPSE.
           05  宛名番号          PIC 9(10).
           05  氏名              PIC G(10).
           05  氏名カナ          PIC X(20).
           05  住所              PIC X(26).
           05  税額              PIC S9(9) COMP.
           05  予備              PIC X(8).
