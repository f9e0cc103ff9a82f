### اردو: توثیق کے پیغامات۔ مسودہ: مقامی بولنے والے سے جانچ ضروری ہے۔

error-required = { $field }: جواب درج کریں
error-required-choose = { $field }: ایک جواب چنیں
error-required-multi = { $field }: کم از کم ایک چنیں
error-required-group = { $field }: کم از کم ایک شامل کریں
error-too-long = { $field }: { $max } حروف یا اس سے کم ہونا چاہیے
error-too-short = { $field }: کم از کم { $min } حروف ہونے چاہئیں
error-invalid-characters-name = { $field }: اس میں صرف حروف، خالی جگہ، ہائفن، اپاسٹروفی اور فل اسٹاپ ہو سکتے ہیں
error-invalid-characters-reference = { $field }: اس میں صرف حروف، اعداد، خالی جگہ، / اور - ہو سکتے ہیں
error-invalid-format-pis-reference = { $field }: یہ PIS-ABCD-1234 جیسا ہونا چاہیے
error-invalid-format-email = { $field }: درست شکل میں ای میل پتہ درج کریں، جیسے name@example.org
error-invalid-characters-phone = { $field }: اس میں صرف اعداد، خالی جگہ، قوسین، ہائفن اور شروع میں + ہو سکتے ہیں
error-invalid-format-phone = { $field }: برطانیہ کا فون نمبر درج کریں، جیسے 01632 960 001 یا 07700 900 982، یا + سے شروع ہونے والا بین الاقوامی نمبر
error-invalid-format-phone-length = { $field }: اس میں 6 سے 15 ہندسے ہونے چاہئیں
error-invalid-format-phone-strict = { $field }: + کے بعد 8 سے 15 ہندسے ہونے چاہئیں
error-invalid-format-postcode = { $field }: اصلی پوسٹ کوڈ درج کریں، جیسے YO1 7HH
error-invalid-format-postcode-partial = { $field }: اصلی پوسٹ کوڈ درج کریں، جیسے YO1 7HH، یا صرف پہلا حصہ، جیسے YO1
error-invalid-characters-vehicle-registration = { $field }: اس میں صرف حروف، اعداد، خالی جگہ اور نظر نہ آنے والے حروف کے لیے ? ہو سکتے ہیں
error-invalid-format-vehicle-registration = { $field }: 1 سے 8 حروف اور اعداد ہونے چاہئیں
error-invalid-format-date = { $field }: تاریخ دن، مہینہ اور سال، یا مہینہ اور سال، یا صرف سال کے طور پر درج کریں
error-invalid-date-date = { $field }: اصلی تاریخ ہونی چاہیے
error-future-date-date = { $field }: آج یا ماضی کی تاریخ ہونی چاہیے
error-invalid-option-choice = { $field }: دیے گئے اختیارات میں سے چنیں
error-invalid-option-yes-no = { $field }: دیے گئے اختیارات میں سے چنیں
error-invalid-option-multi-choice = { $field }: دیے گئے اختیارات میں سے چنیں
error-too-many-items-group = { $field }: آپ نے فارم کی اجازت سے زیادہ شامل کیا ہے
