### العربية: رسائل التحقق. مسودة: تحتاج إلى مراجعة من متحدث أصلي.

error-required = { $field }: أدخل إجابة
error-required-choose = { $field }: اختر إجابة
error-required-multi = { $field }: اختر خيارًا واحدًا على الأقل
error-required-group = { $field }: أضف واحدًا على الأقل
error-too-long = { $field }: يجب ألا يزيد على { $max } حرف
error-too-short = { $field }: يجب ألا يقل عن { $min } حرف
error-invalid-characters-name = { $field }: يمكن أن يحتوي فقط على حروف ومسافات وشرطات وفواصل عليا ونقاط
error-invalid-characters-reference = { $field }: يمكن أن يحتوي فقط على حروف وأرقام ومسافات و / و -
error-invalid-format-pis-reference = { $field }: يجب أن يكون مثل PIS-ABCD-1234
error-invalid-format-email = { $field }: أدخل عنوان بريد إلكتروني بالصيغة الصحيحة، مثل name@example.org
error-invalid-characters-phone = { $field }: يمكن أن يحتوي فقط على أرقام ومسافات وأقواس وشرطات و + في البداية
error-invalid-format-phone = { $field }: أدخل رقم هاتف في المملكة المتحدة، مثل 01632 960 001 أو 07700 900 982، أو رقمًا دوليًا يبدأ بـ +
error-invalid-format-phone-length = { $field }: يجب أن يتكون من 6 إلى 15 رقمًا
error-invalid-format-phone-strict = { $field }: يجب أن يتكون من 8 إلى 15 رقمًا بعد +
error-invalid-format-postcode = { $field }: أدخل رمزًا بريديًا حقيقيًا، مثل YO1 7HH
error-invalid-format-postcode-partial = { $field }: أدخل رمزًا بريديًا حقيقيًا، مثل YO1 7HH، أو الجزء الأول فقط، مثل YO1
error-invalid-characters-vehicle-registration = { $field }: يمكن أن يحتوي فقط على حروف وأرقام ومسافات و ? للحروف التي لم ترها
error-invalid-format-vehicle-registration = { $field }: يجب أن يتكون من 1 إلى 8 حروف وأرقام
error-invalid-format-date = { $field }: أدخل التاريخ باليوم والشهر والسنة، أو الشهر والسنة، أو السنة فقط
error-invalid-date-date = { $field }: يجب أن يكون تاريخًا حقيقيًا
error-future-date-date = { $field }: يجب أن يكون اليوم أو في الماضي
error-invalid-option-choice = { $field }: اختر من الخيارات المعطاة
error-invalid-option-yes-no = { $field }: اختر من الخيارات المعطاة
error-invalid-option-multi-choice = { $field }: اختر من الخيارات المعطاة
error-too-many-items-group = { $field }: أضفت أكثر مما يسمح به النموذج
