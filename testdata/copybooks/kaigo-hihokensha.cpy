*> 介護保険 被保険者レコード（合成データ：ikou のテスト用）
*> 自由形式（free format）: 列の決まりはなく、注記は *> から行末まで。
01 KAIGO-HIHOKENSHA-REC.
   05 被保険者番号 PIC X(10).
   05 宛名番号 PIC 9(15).
   05 個人番号 PIC 9(12).
   05 世帯番号 PIC 9(15).
   05 氏名 PIC G(20) USAGE DISPLAY-1.
   05 氏名カナ PIC X(40).
   05 生年月日 PIC 9(8).
   05 性別 PIC 9.
      88 男 VALUE 1.
      88 女 VALUE 2.
   05 住所 PIC N(40).
   05 被保険者区分 PIC 9.
      88 第1号被保険者 VALUE 1.
      88 第2号被保険者 VALUE 2.
   05 資格.
      10 資格取得年月日 PIC 9(8).
      10 資格取得事由コード PIC 9(2).
      10 資格喪失年月日 PIC 9(8).
      10 資格喪失事由コード PIC 9(2).
   05 住所地特例区分 PIC X.
      88 特例なし VALUE SPACE '0'.
      88 特例あり VALUE '1'.
   05 住所地特例適用年月日 PIC 9(8).
   05 認定履歴 OCCURS 2 TIMES.
      10 要介護状態区分 PIC 9(2).
         88 要支援 VALUES 12 13.
         88 要介護 VALUES 21 THRU 25.
      10 認定有効期間 OCCURS 2 TIMES.
         15 開始年月日 PIC 9(8).
         15 終了年月日 PIC 9(8).
   05 保険料.
      10 保険料段階 PIC 9(2).
      10 年額保険料 PIC S9(7) COMP-3.
      10 減免額 PIC S9(7)V99.
   05 保険料Ｘ REDEFINES 保険料 PIC X(15).
   05 FILLER PIC X(20).
