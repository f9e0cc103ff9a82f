### العربية. ترجمة فريق pis-gateway.
### review = "draft: needs review by a native speaker" (see language.toml)

service-name = شارك المعلومات مع الشرطة
follow-up-link = تحقّق من وجود رد على بلاغ
menu-label = القائمة
languages-label = اللغات
urgent-banner = لا تخضع هذه الخدمة للمراقبة على مدار 24 ساعة. إذا كان أحد في خطر الآن، فاتصل بالرقم <strong><bdi>999</bdi></strong>. ولشؤون الشرطة الأخرى اتصل بالرقم <strong><bdi>101</bdi></strong>.
skip-link = انتقل إلى المحتوى الرئيسي
support-links = روابط المساعدة
accessibility-link = بيان إمكانية الوصول
privacy-link = إشعار الخصوصية
deaf-contacts = للصم وضعاف السمع ومن لديهم صعوبات في النطق: أرسل رسالة نصية إلى 999 إذا كنت مسجلاً في emergencySMS، أو استخدم Relay UK على 18000 (‏18001 101 للحالات غير الطارئة).
exit-hidden = طوارئ
exit-button = اخرج من هذه الصفحة
error-prefix = خطأ:
warning-hidden = تحذير
error-summary-title = توجد مشكلة
back = رجوع
continue = متابعة
go-to-start = انتقل إلى صفحة البداية
option-yes = نعم
option-no = لا
option-not_sure = لست متأكدًا

home-title = الإبلاغ عن مصدر قلق
home-danger-now = إذا كان أحد في خطر الآن، أو كان شيء ما يحدث في هذه اللحظة، فاتصل بالرقم 999.
home-other-matters = لشؤون الشرطة الأخرى اتصل بالرقم 101. وإذا كنت قلقًا بشأن طفل بعينه، فتواصل أيضًا مع الرعاية الاجتماعية للأطفال (children's social care) على الرقم <bdi>{ $phone }</bdi>.
home-what-it-is = استخدم هذه الخدمة لتخبر شرطة نورث يوركشاير بشيء يقلقك. يُقفَل (يُشفَّر) ما ترسله فور وصوله، ولا يستطيع قراءته إلا فريق الاستخبارات في الشرطة.
home-hide = إذا كنت تخشى أن يرى أحد أنك استخدمت هذه الخدمة، فاقرأ <a href="/hide-your-visit{ $query }" class="govuk-link">كيف تخفي زيارتك</a>. استخدم <strong>اخرج من هذه الصفحة</strong> للمغادرة بسرعة: فهو يمسح الإجابات التي كتبتها.
home-choose = اختر النموذج المناسب لك
home-for-professional = للعاملين مع الأطفال أو الشباب، أو في خدمة عامة.
home-for-community = لأي شخص آخر. لست مضطرًا إلى ذكر اسمك.
home-already-sent = هل أرسلت بلاغًا من قبل؟
home-follow-up = إذا حصلت على رمز متابعة، يمكنك <a href="/follow-up{ $query }" class="govuk-link">التحقق من وجود رد على بلاغ</a>. يمكنك قراءة أسئلة الشرطة أو أخبارها وإضافة معلومات، دون ذكر اسمك.
home-before = قبل أن تبدأ
home-before-text = يستغرق ذلك نحو 10 دقائق. يطرح النموذج أولاً بعض الأسئلة للتحقق مما إذا كان عليك الاتصال بالرقم 999 بدلاً من ذلك. يمكنك مراجعة إجاباتك قبل إرسالها.
home-next = ماذا يحدث بعد ذلك
home-next-text = تحصل على رقم مرجعي عند حفظ معلوماتك. تقرأ الشرطة كل بلاغ. قد لا تتواصل معك، ولن تخبر أحدًا بمن قدّم البلاغ.

help-title = طرق أخرى للحصول على المساعدة
help-child = <strong>إذا كنت طفلاً أو شابًا</strong> وتريد التحدث إلى أحد: Childline على الرقم <span class="app-nowrap"><bdi>{ $phone }</bdi></span>. الاتصال مجاني ولا يظهر في فاتورة الهاتف.
help-worried = <strong>إذا كنت قلقًا بشأن طفل</strong> وتريد نصيحة: خط مساعدة NSPCC على الرقم <span class="app-nowrap"><bdi>{ $phone }</bdi></span>.
help-online = <strong>إذا حدث شيء عبر الإنترنت</strong>، مثل أن يُطلب من طفل صور أو لقاء: أبلغ CEOP على <span class="app-nowrap"><bdi>{ $address }</bdi></span>.
help-anonymous = <strong>إذا كنت تريد أن تبقى مجهول الهوية تمامًا</strong>: Crimestoppers على الرقم <span class="app-nowrap"><bdi>{ $phone }</bdi></span>. لا يسألون عن اسمك أبدًا.

call-999-now = اتصل بالرقم 999 الآن
call-999-text = إذا كان أحد في خطر، أو كان شيء ما يحدث الآن أو خلال الساعات القليلة القادمة، فاتصل بالرقم 999. لا تتم متابعة هذا النموذج على مدار 24 ساعة.
deaf-label = للصم وضعاف السمع ومن لديهم صعوبات في النطق:
relay-label = Relay UK:
call-999-still = لا يزال بإمكانك إخبارنا بما تعرفه. عند إرسال هذا النموذج سيُعلَّم على أنه عاجل.
call-999-continue = تابع إلى النموذج
danger-title = هل أحد في خطر الآن؟
danger-noticed = يشير شيء مما كتبته إلى أن أحدًا قد يكون في خطر الآن أو قريبًا:
danger-call = إذا كان أحد في خطر، أو كان شيء ما يحدث الآن أو خلال الساعات القليلة القادمة، فاتصل بالرقم 999 الآن. لا تتم متابعة هذا النموذج على مدار 24 ساعة.
danger-answer-sent = تُرسَل إجابتك مع بلاغك، لتعرف الشرطة مدى استعجاله. يمكنك إرسال البلاغ مهما كانت إجابتك.

or = أو
only-if-chose = فقط إذا اخترت “{ $option }”:
date-day = اليوم
date-month = الشهر
date-year = السنة
characters-up-to = يمكنك كتابة ما يصل إلى { $max } حرف
form-part = { $form }: الجزء { $part } من { $parts }
honeypot-label = اترك هذا المربع فارغًا
remove = إزالة
add-another = أضف { $item } آخر
added-most = لقد أضفت الحد الأقصى الذي يسمح به هذا النموذج ({ $max }).
save-and-back = احفظ وارجع إلى مراجعة إجاباتك

fu-title = متابعة بلاغ
fu-your-report-title = بلاغك
fu-intro = إذا حصلت على رمز متابعة عند إرسال بلاغ، فأدخله هنا لترى هل لدى الشرطة سؤال أو خبر لك، ولإضافة مزيد من المعلومات.
fu-danger = إذا كان أحد في خطر الآن، فاتصل بالرقم 999.
fu-code-label = رمز المتابعة الخاص بك
fu-code-hint = ثماني كلمات (بالإنجليزية)، مثل: ribcage pebble outboard tulip grudging wiring unstable lullaby. الرموز التي أُعطيت سابقًا من 20 حرفًا ورقمًا، مثل 7KQ2-M9XD-A1B0-CDEF-GH12، لا تزال تعمل.
fu-lost-code = إذا فقدت رمزك، فلا يستطيع أحد العثور عليه لك. لإضافة معلومات، <a class="govuk-link" href="/{ $query }">أرسل بلاغًا جديدًا</a> واذكر رقمك المرجعي إن كان لديك.
fu-success = تم بنجاح
fu-sent-again = كان هذا قد أُرسل من قبل.
fu-sent = أُرسل ما أضفته إلى الشرطة.
fu-its-reference = رقمه المرجعي هو
call-999-if-not = إذا لم تتصل بعد، فاتصل بالرقم 999 الآن.
fu-your-report = بلاغك
fu-status = الحالة
fu-since = منذ { $date }
fu-messages = الرسائل
fu-from-police = من الشرطة
fu-from-you = منك
fu-no-messages = لا توجد رسائل بعد.
fu-add-label = أجب أو أضف معلومات
fu-add-hint = يصل إلى فريق الاستخبارات في الشرطة مع الرقم المرجعي لبلاغك. حتى { $max } حرف.
fu-send = إرسال
fu-check-new = تحقّق من وجود رسائل جديدة
fu-finished = عندما تنتهي، أغلق هذه الصفحة أو استخدم اخرج من هذه الصفحة. لا يُحفَظ شيء من هنا في متصفحك.
