      * 住民記録（JEF、RECFM=VB・合成データ）: jef_vb.dat のレコード本体
      * （RDW を除く）。RECFM=VB はコピー句に書かれないので、取り込んだ
      * レイアウトに recfm = "vb" を足す。
       01  JUKI-JEF.
           05  宛名番号          PIC S9(10).
           05  氏名              PIC N(10).
           05  氏名カナ          PIC X(20).
           05  住所              PIC X(26).
           05  税額              PIC S9(5)V99.
