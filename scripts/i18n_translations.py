"""Arabic, Persian, Swahili and Polish texts of the message catalogue.

`python scripts/i18n_translations.py` writes tandem/locales/{ar,fa,sw,pl}.po. Keys and `{placeholders}`
follow scripts/i18n_messages_en.py; the plural entry `order.summary` has as many forms as the
language's Plural-Forms header (Babel's `Catalog.num_plurals`).
"""

from __future__ import annotations

AR: dict[str, str | tuple[str, ...]] = {
    "greeting.reply": (
        "مرحبًا! أنا مساعد Baobab Home. يمكنني الإجابة عن أسئلتك حول التوصيل والإرجاع والدفع وغير ذلك، "
        "والاستعلام عن طلب، أو مساعدتك في إلغائه أو إرجاعه أو تعديله. كيف يمكنني مساعدتك؟"
    ),
    "goodbye.reply": "شكرًا لتواصلك مع Baobab Home. أتمنى لك يومًا سعيدًا!",
    "out_of_scope.reply": (
        "عذرًا، لا يمكنني المساعدة في ذلك. يمكنني الإجابة عن الأسئلة المتعلقة بمتجرنا وسياساته، "
        "والاستعلام عن طلباتك، والمساعدة في الإلغاء والإرجاع وتغيير العنوان والفواتير والطلبات الجديدة."
    ),
    "not_understood.reply": "عذرًا، لم أفهم تمامًا. هل يمكنك التعبير عن ذلك بكلمات أخرى؟",
    "handoff.offer": "هل أوصلك بأحد أعضاء فريق الدعم لدينا؟",
    "handoff.started": (
        "سأوصلك الآن بأحد أعضاء فريق الدعم لدينا، وسيطّلع على محادثتنا كاملة. "
        "يعمل الفريق من الاثنين إلى السبت، 08:00–20:00 بتوقيت شرق أفريقيا."
    ),
    "handoff.waiting": "سيرد عليك أحد أعضاء فريق الدعم هنا قريبًا.",
    "handoff.returned": "عدت من جديد. بماذا يمكنني مساعدتك أيضًا؟",
    "backoffice.unavailable": "عذرًا، لا أستطيع الوصول إلى نظام الطلبات الآن. يُرجى المحاولة مرة أخرى بعد بضع دقائق، أو يمكنني توصيلك بأحد موظفينا.",
    "ask.order_id": "ما رقم طلبك؟ يكون بهذا الشكل: SO-12345.",
    "ask.order_id_again": "لا يبدو هذا رقم طلب. رقم الطلب يكون بهذا الشكل: SO-12345 — هل يمكنك التحقق منه؟",
    "ask.address": "ما عنوان التوصيل الجديد (الشارع، المدينة، الرمز البريدي، الدولة)؟",
    "ask.sku": "ما المنتج المطلوب؟ يمكنك كتابة اسمه أو رمزه، مثل BH-1001.",
    "ask.product_choice": "أيّ منها المقصود؟",
    "ask.quantity": "ما الكمية المطلوبة؟",
    "ask.doc_type": "ما نوع المستند؟",
    "ask.document": "يُرجى إرفاق المستند باستخدام زر مشبك الورق، وإخباري بالطلب الذي يتعلق به.",
    "verify.ask": (
        "حفاظًا على خصوصيتك، يُرجى تزويدي بعنوان البريد الإلكتروني أو رقم الهاتف المستخدم في الطلب {order_id}."
    ),
    "verify.ask_order": "أحتاج أولًا إلى التحقق من هويتك: ما رقم أحد طلباتك؟ يكون بهذا الشكل: SO-12345.",
    "verify.ok": "شكرًا، {name} — تم التحقق من هويتك.",
    "verify.failed": "عذرًا، هذه البيانات لا تطابق سجلاتنا لهذا الطلب. يُرجى التحقق والمحاولة مرة أخرى.",
    "verify.locked": "لم أتمكن من التحقق من هويتك، لذا سأحيلك حفاظًا على أمانك إلى أحد موظفينا.",
    "order.not_found": "لم أجد الطلب {order_id} ضمن طلباتك. يُرجى التحقق من الرقم.",
    "order.status.pending": "تم استلام الطلب {order_id} وهو بانتظار المعالجة.",
    "order.status.processing": "يجري تجهيز الطلب {order_id} في مستودعنا.",
    "order.status.shipped": "الطلب {order_id} في الطريق إليك. رقم التتبع: {tracking}.",
    "order.status.delivered": "تم توصيل الطلب {order_id} بتاريخ {date}.",
    "order.status.cancelled": "تم إلغاء الطلب {order_id}.",
    "order.status.returned": "تم إرجاع الطلب {order_id}.",
    "order.summary": (
        "{count} منتج: {items}. الإجمالي: {total}.",
        "منتج واحد: {items}. الإجمالي: {total}.",
        "منتجان: {items}. الإجمالي: {total}.",
        "{count} منتجات: {items}. الإجمالي: {total}.",
        "{count} منتجًا: {items}. الإجمالي: {total}.",
        "{count} منتج: {items}. الإجمالي: {total}.",
    ),
    "stock.available": "{name} ({sku}) متوفر: الكمية المتاحة {stock}، بسعر {price} للقطعة.",
    "stock.out": "{name} ({sku}) غير متوفر حاليًا.",
    "product.not_found": "لم أجد هذا المنتج. هل يمكنك كتابة اسمه أو رمزه، مثل BH-1001؟",
    "confirm.cancel_order": (
        "يُرجى التأكيد: إلغاء الطلب {order_id} ({items}، الإجمالي {total}). الإلغاء مجاني، "
        "ويُعاد المبلغ إلى وسيلة الدفع الأصلية. هل أتابع؟"
    ),
    "confirm.return_item": "يُرجى التأكيد: فتح طلب إرجاع للمنتج {item} من الطلب {order_id}. هل أتابع؟",
    "confirm.change_address": (
        "يُرجى التأكيد: تغيير عنوان التوصيل للطلب {order_id} إلى «{address}». هل أتابع؟"
    ),
    "confirm.place_order": (
        "يُرجى التأكيد: طلب {quantity} × {name} ({sku}) بسعر {price} للقطعة، بإجمالي {total} "
        "إضافةً إلى رسوم التوصيل. هل أتابع؟"
    ),
    "confirm.yes": "نعم، موافق",
    "confirm.no": "لا",
    "confirm.declined": "حسنًا، لم أغيّر شيئًا. هل هناك شيء آخر يمكنني مساعدتك فيه؟",
    "confirm.ask_again": "يُرجى الإجابة بنعم أو لا: هل أتابع؟",
    "flow.dropped": "لا مشكلة، أوقفت هذه العملية. بماذا يمكنني مساعدتك أيضًا؟",
    "job.queued.cancel_order": "شكرًا! أقوم الآن بإلغاء الطلب {order_id}، وسأبلغك هنا عند الانتهاء.",
    "job.queued.return_item": "شكرًا! أقوم الآن بفتح طلب الإرجاع للطلب {order_id}، وسأبلغك هنا.",
    "job.queued.change_address": "شكرًا! أقوم الآن بتغيير عنوان الطلب {order_id}، وسأبلغك هنا.",
    "job.queued.place_order": "شكرًا! أقوم الآن بتسجيل طلبك، وسأبلغك هنا عند الانتهاء.",
    "job.queued.request_invoice": "أجلب الآن فاتورة الطلب {order_id}، وستظهر هنا بعد لحظات.",
    "job.queued.file_document": "شكرًا، أقوم الآن بحفظ مستندك.",
    "job.succeeded.cancel_order": (
        "تم إلغاء الطلب {order_id}. سيُعاد مبلغ {total} إلى وسيلة الدفع الأصلية خلال 5 أيام عمل."
    ),
    "job.succeeded.return_item": (
        "تم فتح طلب الإرجاع {rma} للطلب {order_id}. يُرجى تغليف المنتج دون استخدام في عبوته الأصلية؛ "
        "وسيُعاد المبلغ خلال 5 أيام عمل من وصوله إلى مستودعنا."
    ),
    "job.succeeded.change_address": "أصبح عنوان التوصيل للطلب {order_id}: {address}.",
    "job.succeeded.place_order": "تم تسجيل طلبك {order_id}: {quantity} × {name}، الإجمالي {total}.",
    "job.succeeded.request_invoice": "إليك الفاتورة {invoice} للطلب {order_id}: {link}",
    "job.succeeded.file_document": "تم حفظ مستندك في ملف العميل الخاص بك (المرجع {reference}).",
    "job.failed": "عذرًا، لم أتمكن من إتمام ذلك في نظامنا: {reason}. هل أوصلك بأحد موظفينا؟",
    "job.needs_review": "يحتاج هذا إلى مراجعة سريعة من فريقنا. سأبلغك هنا فور الانتهاء.",
    "policy.cancel_after_shipping": (
        "تم شحن الطلب {order_id} بالفعل، لذا لم يعد من الممكن إلغاؤه. "
        "يمكنك إرجاعه بعد استلامه خلال مهلة الإرجاع."
    ),
    "policy.address_after_shipping": (
        "تم شحن الطلب {order_id} بالفعل، لذا لم يعد من الممكن تغيير عنوان التوصيل."
    ),
    "policy.return_window_passed": (
        "مهلة إرجاع هذا المنتج {days} يومًا من تاريخ التوصيل، وقد تم توصيله منذ {since} يومًا، "
        "لذا لم يعد من الممكن إرجاعه. إذا كان معيبًا، فقد يشمله الضمان."
    ),
    "policy.return_not_delivered": "لم يتم توصيل الطلب {order_id} بعد، لذا لا يوجد ما يمكن إرجاعه.",
    "policy.return_unknown_item": "المنتج {sku} ليس ضمن الطلب {order_id}.",
    "policy.order_closed": "هذا غير ممكن: حالة الطلب «{status}».",
    "policy.out_of_stock": "عذرًا، {name} غير متوفر حاليًا، لذا لا يمكنني طلبه.",
    "policy.cod_limit": "الدفع عند الاستلام متاح فقط للطلبات حتى $200.",
    "policy.quantity_invalid": "يجب أن تكون الكمية 1 على الأقل.",
    "policy.see": "السياسة: {title}",
    "status.pending": "قيد الانتظار",
    "status.processing": "قيد التجهيز",
    "status.shipped": "تم الشحن",
    "status.delivered": "تم التوصيل",
    "status.cancelled": "ملغى",
    "status.returned": "مُرتجع",
    "doc.damage_photo": "صور الضرر",
    "doc.return_form": "نموذج الإرجاع",
    "doc.tax_certificate": "شهادة ضريبية",
    "doc.id_document": "وثيقة الهوية",
    "doc.other": "مستند آخر",
    "quick.human": "التحدث مع موظف",
    "quick.order_status": "أين طلبي؟",
    "quick.returns": "كيف يتم الإرجاع؟",
    "widget.title": "Baobab Home — تحدث معنا",
    "widget.placeholder": "اكتب رسالة…",
    "widget.send": "إرسال",
    "widget.attach": "إرفاق ملف",
    "widget.open": "تحدث معنا",
    "widget.close": "إغلاق الدردشة",
    "widget.typing": "المساعد يكتب…",
    "widget.agent_joined": "انضم {name} من فريق الدعم إلى المحادثة.",
    "widget.sources": "المصادر",
    "widget.error": "عذرًا، حدث خطأ ما. يُرجى المحاولة مرة أخرى.",
    "widget.welcome": "مرحبًا! اسألنا أي شيء عن Baobab Home، أو اختر موضوعًا أدناه.",
    "widget.bot_name": "مساعد Baobab Home",
    "widget.agent_name": "فريق الدعم · يرد عليك موظف",
    "widget.you": "أنت",
    "widget.messages": "المحادثة",
    "widget.quick_replies": "ردود مقترحة",
    "widget.job_running": "⏳ {job}…",
    "widget.job.cancel_order": "جارٍ إلغاء طلبك",
    "widget.job.return_item": "جارٍ فتح طلب الإرجاع",
    "widget.job.change_address": "جارٍ تغيير عنوان التوصيل",
    "widget.job.place_order": "جارٍ تسجيل طلبك",
    "widget.job.request_invoice": "جارٍ إحضار فاتورتك",
    "widget.job.file_document": "جارٍ حفظ مستندك",
    "widget.job.other": "جارٍ تنفيذ طلبك",
    "widget.uploading": "جارٍ إرسال {name}…",
    "widget.attached": "تم إرسال الملف: {name}",
    "widget.attach_failed": "عذرًا، تعذّر إرسال الملف. يُرجى المحاولة لاحقًا.",
    "widget.attach_too_large": "الملف كبير جدًا؛ الحد الأقصى {size} ميغابايت.",
    "widget.not_sent": "لم تُرسل.",
    "widget.retry": "إعادة المحاولة",
    "widget.offline": "انقطع الاتصال — جارٍ إعادة الاتصال…",
    "shop.title": "Baobab Home",
    "shop.tagline": "أدوات منزلية وأجهزة إلكترونية صغيرة لكل يوم.",
    "shop.products": "منتجاتنا",
    "shop.language": "اللغة",
    "shop.in_stock": "متوفر",
    "shop.out_of_stock": "غير متوفر",
    "shop.signed_in": "تم تسجيل الدخول كعميل تجريبي: {name}",
    "shop.sign_in": "تسجيل الدخول كعميل تجريبي",
    "shop.sign_out": "تسجيل الخروج",
    "shop.unknown_customer": "لا يوجد عميل تجريبي بالرمز {customer}.",
    "shop.category.electronics": "إلكترونيات",
    "shop.category.furniture": "أثاث",
    "shop.category.homeware": "مستلزمات منزلية",
    "shop.category.kitchen": "المطبخ",
    "shop.category.lighting": "إضاءة",
    "shop.category.textiles": "منسوجات",
    "canned.greeting": "مرحبًا، معك {agent} من فريق دعم Baobab Home. قرأت محادثتنا وأنا هنا لمساعدتك.",
    "canned.checking": "شكرًا على انتظارك. أتحقق من ذلك الآن، وسيستغرق الأمر بضع دقائق.",
    "canned.order_update": "لقد حدّثت طلبك. سترى التغيير في تفاصيل طلبك قريبًا.",
    "canned.anything_else": "هل هناك أي شيء آخر يمكنني مساعدتك فيه؟",
    "canned.goodbye": "شكرًا لتواصلك مع Baobab Home. أتمنى لك يومًا سعيدًا!",
}

FA: dict[str, str | tuple[str, ...]] = {
    "greeting.reply": (
        "سلام! من دستیار Baobab Home هستم. می‌توانم به پرسش‌های شما درباره ارسال، مرجوعی، پرداخت و موارد "
        "دیگر "
        "پاسخ دهم، وضعیت سفارش را بررسی کنم یا در لغو، مرجوع کردن یا تغییر آن کمکتان کنم. چطور می‌توانم "
        "کمکتان کنم؟"
    ),
    "goodbye.reply": "از اینکه با Baobab Home در تماس بودید سپاسگزاریم. روز خوبی داشته باشید!",
    "out_of_scope.reply": (
        "متأسفم، در این مورد نمی‌توانم کمکی کنم. می‌توانم به پرسش‌ها درباره فروشگاه و قوانین آن پاسخ دهم، "
        "سفارش‌هایتان را بررسی کنم و در لغو سفارش، مرجوعی، تغییر نشانی، فاکتور و ثبت سفارش جدید کمکتان کنم."
    ),
    "not_understood.reply": "ببخشید، کاملاً متوجه نشدم. ممکن است آن را به شکل دیگری بگویید؟",
    "handoff.offer": "مایلید شما را به یکی از همکاران پشتیبانی وصل کنم؟",
    "handoff.started": (
        "شما را به یکی از همکاران تیم پشتیبانی وصل می‌کنم؛ ایشان کل گفتگوی ما را خواهند دید. "
        "تیم پشتیبانی از دوشنبه تا شنبه، ساعت 08:00–20:00 به وقت شرق آفریقا پاسخگوست."
    ),
    "handoff.waiting": "یکی از همکاران تیم پشتیبانی به‌زودی همین‌جا به شما پاسخ می‌دهد.",
    "handoff.returned": "برگشتم. دیگر چه کمکی از من برمی‌آید؟",
    "backoffice.unavailable": "متأسفم، در حال حاضر به سامانه سفارش‌ها دسترسی ندارم. لطفاً چند دقیقه دیگر دوباره تلاش کنید، یا می‌توانم شما را به یکی از همکارانمان وصل کنم.",
    "ask.order_id": "شماره سفارش شما چیست؟ شکل آن مانند SO-12345 است.",
    "ask.order_id_again": (
        "این شبیه شماره سفارش نیست. شماره سفارش شکلی مانند SO-12345 دارد — ممکن است آن را بررسی کنید؟"
    ),
    "ask.address": "نشانی جدید تحویل چیست (خیابان، شهر، کد پستی، کشور)؟",
    "ask.sku": "کدام کالا را می‌خواهید؟ می‌توانید نام یا کد آن را بنویسید، مثلاً BH-1001.",
    "ask.product_choice": "منظورتان کدام است؟",
    "ask.quantity": "چند عدد می‌خواهید؟",
    "ask.doc_type": "نوع این مدرک چیست؟",
    "ask.document": "لطفاً مدرک را با دکمه گیره کاغذ پیوست کنید و بگویید مربوط به کدام سفارش است.",
    "verify.ask": (
        "برای حفظ حریم خصوصی شما، لطفاً نشانی ایمیل یا شماره تلفنی را که برای سفارش {order_id} "
        "استفاده شده است بنویسید."
    ),
    "verify.ask_order": (
        "ابتدا باید هویت شما را تأیید کنم: شماره یکی از سفارش‌هایتان چیست؟ شکل آن مانند SO-12345 است."
    ),
    "verify.ok": "سپاس، {name} — هویت شما تأیید شد.",
    "verify.failed": (
        "متأسفم، این اطلاعات با سوابق ما برای این سفارش مطابقت ندارد. لطفاً بررسی کنید و دوباره تلاش کنید."
    ),
    "verify.locked": (
        "نتوانستم هویت شما را تأیید کنم، بنابراین برای امنیت شما گفتگو را به یکی از همکارانم می‌سپارم."
    ),
    "order.not_found": "سفارش {order_id} را در میان سفارش‌های شما پیدا نکردم. لطفاً شماره را بررسی کنید.",
    "order.status.pending": "سفارش {order_id} دریافت شده و در انتظار پردازش است.",
    "order.status.processing": "سفارش {order_id} در انبار ما در حال آماده‌سازی است.",
    "order.status.shipped": "سفارش {order_id} در راه است. کد رهگیری: {tracking}.",
    "order.status.delivered": "سفارش {order_id} در تاریخ {date} تحویل داده شد.",
    "order.status.cancelled": "سفارش {order_id} لغو شد.",
    "order.status.returned": "سفارش {order_id} مرجوع شد.",
    # Persian nouns stay singular after a number; Babel's Plural-Forms for fa has a single form.
    "order.summary": ("{count} کالا: {items}. جمع کل: {total}.", "{count} کالا: {items}. جمع کل: {total}."),
    "stock.available": "{name} ({sku}) موجود است: {stock} عدد، هر عدد {price}.",
    "stock.out": "{name} ({sku}) در حال حاضر موجود نیست.",
    "product.not_found": "این کالا را پیدا نکردم. ممکن است نام یا کد آن را بنویسید، مثلاً BH-1001؟",
    "confirm.cancel_order": (
        "لطفاً تأیید کنید: لغو سفارش {order_id} ({items}، جمع کل {total}). لغو سفارش رایگان است و مبلغ "
        "به روش پرداخت اصلی شما بازگردانده می‌شود. ادامه دهم؟"
    ),
    "confirm.return_item": (
        "لطفاً تأیید کنید: ثبت درخواست مرجوعی برای {item} از سفارش {order_id}. ادامه دهم؟"
    ),
    "confirm.change_address": (
        "لطفاً تأیید کنید: تغییر نشانی تحویل سفارش {order_id} به «{address}». ادامه دهم؟"
    ),
    "confirm.place_order": (
        "لطفاً تأیید کنید: سفارش {quantity} × {name} ({sku})، هر عدد {price}، جمعاً {total} "
        "به‌علاوه هزینه ارسال. ادامه دهم؟"
    ),
    "confirm.yes": "بله، ادامه دهید",
    "confirm.no": "خیر",
    "confirm.declined": "بسیار خب، چیزی را تغییر ندادم. کار دیگری هست که بتوانم برایتان انجام دهم؟",
    "confirm.ask_again": "لطفاً با بله یا خیر پاسخ دهید: ادامه دهم؟",
    "flow.dropped": "مشکلی نیست، این درخواست را کنار گذاشتم. دیگر چه کمکی از من برمی‌آید؟",
    "job.queued.cancel_order": (
        "سپاس! هم‌اکنون سفارش {order_id} را لغو می‌کنم و پس از انجام، همین‌جا خبرتان می‌کنم."
    ),
    "job.queued.return_item": (
        "سپاس! هم‌اکنون درخواست مرجوعی سفارش {order_id} را ثبت می‌کنم و همین‌جا خبرتان می‌کنم."
    ),
    "job.queued.change_address": (
        "سپاس! هم‌اکنون نشانی سفارش {order_id} را تغییر می‌دهم و همین‌جا خبرتان می‌کنم."
    ),
    "job.queued.place_order": "سپاس! هم‌اکنون سفارش شما را ثبت می‌کنم و پس از انجام، همین‌جا خبرتان می‌کنم.",
    "job.queued.request_invoice": (
        "در حال دریافت فاکتور سفارش {order_id} هستم؛ تا لحظاتی دیگر همین‌جا نمایش داده می‌شود."
    ),
    "job.queued.file_document": "سپاس، هم‌اکنون مدرک شما را بایگانی می‌کنم.",
    "job.succeeded.cancel_order": (
        "سفارش {order_id} لغو شد. مبلغ {total} ظرف 5 روز کاری به روش پرداخت اصلی شما بازگردانده می‌شود."
    ),
    "job.succeeded.return_item": (
        "درخواست مرجوعی {rma} برای سفارش {order_id} ثبت شد. کالا را استفاده‌نشده و در بسته‌بندی اصلی‌اش "
        "آماده ارسال کنید؛ مبلغ ظرف 5 روز کاری پس از رسیدن کالا به انبار ما بازگردانده می‌شود."
    ),
    "job.succeeded.change_address": "نشانی تحویل سفارش {order_id} اکنون این است: {address}.",
    "job.succeeded.place_order": "سفارش {order_id} شما ثبت شد: {quantity} × {name}، جمع کل {total}.",
    "job.succeeded.request_invoice": "این هم فاکتور {invoice} برای سفارش {order_id}: {link}",
    "job.succeeded.file_document": "مدرک شما در پرونده مشتری‌تان بایگانی شد (شماره مرجع {reference}).",
    "job.failed": (
        "متأسفم، نتوانستم این کار را در سامانه ما انجام دهم: {reason}. "
        "مایلید شما را به یکی از همکارانم وصل کنم؟"
    ),
    "job.needs_review": (
        "این مورد به بررسی کوتاهی از سوی تیم ما نیاز دارد. به محض انجام، همین‌جا خبرتان می‌کنم."
    ),
    "policy.cancel_after_shipping": (
        "سفارش {order_id} ارسال شده است و دیگر نمی‌توان آن را لغو کرد. "
        "پس از دریافت، می‌توانید آن را در مهلت مرجوعی بازگردانید."
    ),
    "policy.address_after_shipping": (
        "سفارش {order_id} ارسال شده است و دیگر نمی‌توان نشانی تحویل آن را تغییر داد."
    ),
    "policy.return_window_passed": (
        "مهلت مرجوعی این کالا {days} روز از زمان تحویل است و {since} روز پیش تحویل داده شده، "
        "بنابراین دیگر قابل مرجوع کردن نیست. اگر معیوب باشد، ممکن است مشمول گارانتی شود."
    ),
    "policy.return_not_delivered": (
        "سفارش {order_id} هنوز تحویل داده نشده است، پس چیزی برای مرجوع کردن وجود ندارد."
    ),
    "policy.return_unknown_item": "کالای {sku} جزو سفارش {order_id} نیست.",
    "policy.order_closed": "این کار ممکن نیست: وضعیت سفارش «{status}» است.",
    "policy.out_of_stock": "متأسفم، {name} در حال حاضر موجود نیست، بنابراین نمی‌توانم آن را سفارش دهم.",
    "policy.cod_limit": "پرداخت در محل فقط برای سفارش‌های تا سقف $200 امکان‌پذیر است.",
    "policy.quantity_invalid": "تعداد باید دست‌کم 1 باشد.",
    "policy.see": "قوانین فروشگاه: {title}",
    "status.pending": "در انتظار",
    "status.processing": "در حال آماده‌سازی",
    "status.shipped": "ارسال‌شده",
    "status.delivered": "تحویل‌شده",
    "status.cancelled": "لغوشده",
    "status.returned": "مرجوع‌شده",
    "doc.damage_photo": "عکس‌های آسیب",
    "doc.return_form": "فرم مرجوعی",
    "doc.tax_certificate": "گواهی مالیاتی",
    "doc.id_document": "مدرک شناسایی",
    "doc.other": "مدرک دیگر",
    "quick.human": "گفتگو با پشتیبان",
    "quick.order_status": "سفارشم کجاست؟",
    "quick.returns": "مرجوعی چطور انجام می‌شود؟",
    "widget.title": "Baobab Home — گفتگو با ما",
    "widget.placeholder": "پیامی بنویسید…",
    "widget.send": "ارسال",
    "widget.attach": "پیوست فایل",
    "widget.open": "گفتگو با ما",
    "widget.close": "بستن گفتگو",
    "widget.typing": "دستیار در حال نوشتن است…",
    "widget.agent_joined": "{name} از تیم پشتیبانی ما به گفتگو پیوست.",
    "widget.sources": "منابع",
    "widget.error": "متأسفیم، مشکلی پیش آمد. لطفاً دوباره تلاش کنید.",
    "widget.welcome": "سلام! هر سؤالی دربارهٔ Baobab Home دارید بپرسید، یا یکی از موضوعات زیر را انتخاب کنید.",
    "widget.bot_name": "دستیار Baobab Home",
    "widget.agent_name": "تیم پشتیبانی · یک همکار پاسخ می\u200cدهد",
    "widget.you": "شما",
    "widget.messages": "گفتگو",
    "widget.quick_replies": "پاسخ\u200cهای پیشنهادی",
    "widget.job_running": "⏳ {job}…",
    "widget.job.cancel_order": "در حال لغو سفارش شما",
    "widget.job.return_item": "در حال ثبت مرجوعی شما",
    "widget.job.change_address": "در حال تغییر نشانی تحویل",
    "widget.job.place_order": "در حال ثبت سفارش شما",
    "widget.job.request_invoice": "در حال دریافت فاکتور شما",
    "widget.job.file_document": "در حال بایگانی سند شما",
    "widget.job.other": "در حال انجام درخواست شما",
    "widget.uploading": "در حال ارسال {name}…",
    "widget.attached": "فایل ارسال شد: {name}",
    "widget.attach_failed": "متأسفیم، فایل ارسال نشد. لطفاً بعداً دوباره تلاش کنید.",
    "widget.attach_too_large": "فایل بیش از حد بزرگ است؛ حداکثر {size} مگابایت.",
    "widget.not_sent": "ارسال نشد.",
    "widget.retry": "تلاش دوباره",
    "widget.offline": "اتصال قطع شد — در حال اتصال دوباره…",
    "shop.title": "Baobab Home",
    "shop.tagline": "لوازم خانگی و الکترونیکی کوچک برای هر روز.",
    "shop.products": "محصولات ما",
    "shop.language": "زبان",
    "shop.in_stock": "موجود",
    "shop.out_of_stock": "ناموجود",
    "shop.signed_in": "واردشده به\u200cعنوان مشتری نمونه {name}",
    "shop.sign_in": "ورود به\u200cعنوان مشتری نمونه",
    "shop.sign_out": "خروج",
    "shop.unknown_customer": "مشتری نمونه\u200cای با شناسهٔ {customer} وجود ندارد.",
    "shop.category.electronics": "لوازم الکترونیکی",
    "shop.category.furniture": "مبلمان",
    "shop.category.homeware": "لوازم خانه",
    "shop.category.kitchen": "آشپزخانه",
    "shop.category.lighting": "روشنایی",
    "shop.category.textiles": "منسوجات",
    "canned.greeting": "سلام، {agent} از پشتیبانی Baobab Home هستم. گفتگوی ما را خواندم و برای کمک اینجا هستم.",
    "canned.checking": "از صبر شما سپاسگزارم. همین حالا در حال بررسی هستم؛ چند دقیقه طول می‌کشد.",
    "canned.order_update": "سفارش شما را به‌روزرسانی کردم. به‌زودی تغییر را در جزئیات سفارش خواهید دید.",
    "canned.anything_else": "کار دیگری هست که بتوانم برایتان انجام دهم؟",
    "canned.goodbye": "از تماس شما با Baobab Home سپاسگزاریم. روز خوبی داشته باشید!",
}

SW: dict[str, str | tuple[str, ...]] = {
    "greeting.reply": (
        "Habari! Mimi ni msaidizi wa Baobab Home. Ninaweza kujibu maswali kuhusu usafirishaji, kurejesha "
        "bidhaa, "
        "malipo na mengineyo, kuangalia agizo, au kukusaidia kulighairi, kulirejesha au kulibadilisha. "
        "Nikusaidie vipi?"
    ),
    "goodbye.reply": "Asante kwa kuwasiliana na Baobab Home. Uwe na siku njema!",
    "out_of_scope.reply": (
        "Samahani, siwezi kusaidia kwa hilo. Ninaweza kujibu maswali kuhusu duka letu na sera zake, "
        "kuangalia maagizo yako, na kusaidia kughairi, kurejesha bidhaa, kubadilisha anwani, ankara na "
        "maagizo mapya."
    ),
    "not_understood.reply": "Samahani, sijaelewa vizuri. Unaweza kusema kwa maneno mengine?",
    "handoff.offer": "Ungependa nikuunganishe na mhudumu wa timu yetu ya huduma kwa wateja?",
    "handoff.started": (
        "Ninakuunganisha na mhudumu wa timu yetu ya huduma kwa wateja; ataona mazungumzo yetu yote. "
        "Timu inafanya kazi Jumatatu hadi Jumamosi, 08:00–20:00 kwa saa za Afrika Mashariki."
    ),
    "handoff.waiting": "Mhudumu wa timu yetu ya huduma kwa wateja atakujibu hapa hivi punde.",
    "handoff.returned": "Nimerudi. Nikusaidie nini kingine?",
    "backoffice.unavailable": "Samahani, siwezi kufikia mfumo wetu wa maagizo kwa sasa. Tafadhali jaribu tena baada ya dakika chache, au naweza kukuunganisha na mhudumu.",
    "ask.order_id": "Namba ya agizo lako ni ipi? Inaonekana hivi: SO-12345.",
    "ask.order_id_again": (
        "Hiyo haionekani kuwa namba ya agizo. Inaonekana hivi: SO-12345 — unaweza kuiangalia tena?"
    ),
    "ask.address": "Anwani mpya ya kupelekea agizo ni ipi (mtaa, mji, msimbo wa posta, nchi)?",
    "ask.sku": "Ungependa bidhaa gani? Unaweza kuandika jina lake au msimbo wake, kama BH-1001.",
    "ask.product_choice": "Unamaanisha ipi?",
    "ask.quantity": "Ungependa ngapi?",
    "ask.doc_type": "Ni hati ya aina gani?",
    "ask.document": (
        "Tafadhali ambatisha hati kwa kitufe cha pini ya karatasi, na uniambie inahusu agizo lipi."
    ),
    "verify.ask": (
        "Ili kulinda faragha yako, tafadhali niambie barua pepe au namba ya simu iliyotumika kwa agizo "
        "{order_id}."
    ),
    "verify.ask_order": (
        "Kwanza ninahitaji kuthibitisha utambulisho wako: namba ya mojawapo ya maagizo yako ni ipi? "
        "Inaonekana hivi: SO-12345."
    ),
    "verify.ok": "Asante, {name} — umethibitishwa.",
    "verify.failed": (
        "Samahani, hilo halilingani na kumbukumbu zetu za agizo hili. Tafadhali angalia na ujaribu tena."
    ),
    "verify.locked": (
        "Sikuweza kuthibitisha utambulisho wako, kwa hivyo kwa usalama wako nitakuunganisha na mhudumu."
    ),
    "order.not_found": "Sikupata agizo {order_id} katika maagizo yako. Tafadhali angalia namba.",
    "order.status.pending": "Agizo {order_id} limepokelewa na linasubiri kushughulikiwa.",
    "order.status.processing": "Agizo {order_id} linaandaliwa katika ghala letu.",
    "order.status.shipped": "Agizo {order_id} liko njiani. Namba ya ufuatiliaji: {tracking}.",
    "order.status.delivered": "Agizo {order_id} liliwasilishwa tarehe {date}.",
    "order.status.cancelled": "Agizo {order_id} lilighairiwa.",
    "order.status.returned": "Agizo {order_id} lilirejeshwa.",
    "order.summary": (
        "Bidhaa {count}: {items}. Jumla: {total}.",
        "Bidhaa {count}: {items}. Jumla: {total}.",
    ),
    "stock.available": "{name} ({sku}) inapatikana: zipo {stock}, kwa {price} kila moja.",
    "stock.out": "{name} ({sku}) imeisha kwa sasa.",
    "product.not_found": "Sikupata bidhaa hiyo. Unaweza kuandika jina lake au msimbo wake, kama BH-1001?",
    "confirm.cancel_order": (
        "Tafadhali thibitisha: kughairi agizo {order_id} ({items}, jumla {total}). Kughairi ni bure na "
        "pesa "
        "zitarejeshwa kwa njia yako ya awali ya malipo. Niendelee?"
    ),
    "confirm.return_item": (
        "Tafadhali thibitisha: kufungua urejeshaji wa {item} kutoka agizo {order_id}. Niendelee?"
    ),
    "confirm.change_address": (
        "Tafadhali thibitisha: kubadilisha anwani ya kupelekea agizo {order_id} kuwa “{address}”. Niendelee?"
    ),
    "confirm.place_order": (
        "Tafadhali thibitisha: kuagiza {quantity} × {name} ({sku}) kwa {price} kila moja, jumla {total} "
        "bila gharama ya usafirishaji. Niendelee?"
    ),
    "confirm.yes": "Ndiyo, endelea",
    "confirm.no": "Hapana",
    "confirm.declined": "Sawa, sijabadilisha chochote. Kuna jambo lingine ninaloweza kukusaidia?",
    "confirm.ask_again": "Tafadhali jibu ndiyo au hapana: niendelee?",
    "flow.dropped": "Hakuna shida, nimeachana na ombi hilo. Nikusaidie nini kingine?",
    "job.queued.cancel_order": (
        "Asante! Ninaghairi agizo {order_id} sasa na nitakujulisha hapa likikamilika."
    ),
    "job.queued.return_item": (
        "Asante! Ninafungua urejeshaji wa agizo {order_id} sasa na nitakujulisha hapa."
    ),
    "job.queued.change_address": (
        "Asante! Ninabadilisha anwani ya agizo {order_id} sasa na nitakujulisha hapa."
    ),
    "job.queued.place_order": "Asante! Ninaweka agizo lako sasa na nitakujulisha hapa likikamilika.",
    "job.queued.request_invoice": (
        "Ninachukua ankara ya agizo {order_id}; itaonekana hapa baada ya muda mfupi."
    ),
    "job.queued.file_document": "Asante, ninahifadhi hati yako sasa.",
    "job.succeeded.cancel_order": (
        "Agizo {order_id} limeghairiwa. Pesa zako {total} zitarejeshwa kwa njia yako ya awali ya malipo "
        "ndani ya siku 5 za kazi."
    ),
    "job.succeeded.return_item": (
        "Urejeshaji wako {rma} wa agizo {order_id} umefunguliwa. Funga bidhaa ikiwa haijatumika katika "
        "kifungashio chake cha awali; pesa zitarejeshwa ndani ya siku 5 za kazi baada ya bidhaa kufika "
        "ghalani kwetu."
    ),
    "job.succeeded.change_address": "Anwani ya kupelekea agizo {order_id} sasa ni: {address}.",
    "job.succeeded.place_order": "Agizo lako {order_id} limewekwa: {quantity} × {name}, jumla {total}.",
    "job.succeeded.request_invoice": "Hii hapa ankara {invoice} ya agizo {order_id}: {link}",
    "job.succeeded.file_document": (
        "Hati yako imehifadhiwa kwenye faili lako la mteja (namba ya kumbukumbu {reference})."
    ),
    "job.failed": (
        "Samahani, sikuweza kukamilisha hilo kwenye mfumo wetu: {reason}. Ungependa nikuunganishe na mhudumu?"
    ),
    "job.needs_review": (
        "Hili linahitaji ukaguzi mfupi wa timu yetu. Nitakujulisha hapa mara litakapokamilika."
    ),
    "policy.cancel_after_shipping": (
        "Agizo {order_id} limeshasafirishwa, kwa hivyo haliwezi kughairiwa tena. "
        "Likifika, unaweza kulirejesha ndani ya muda wa kurejesha bidhaa."
    ),
    "policy.address_after_shipping": (
        "Agizo {order_id} limeshasafirishwa, kwa hivyo anwani yake ya kupelekea haiwezi kubadilishwa tena."
    ),
    "policy.return_window_passed": (
        "Muda wa kurejesha bidhaa hii ni siku {days} tangu kuwasilishwa, na iliwasilishwa siku {since} "
        "zilizopita, "
        "kwa hivyo haiwezi kurejeshwa tena. Ikiwa ina hitilafu, huenda ikashughulikiwa chini ya dhamana."
    ),
    "policy.return_not_delivered": (
        "Agizo {order_id} bado halijawasilishwa, kwa hivyo hakuna cha kurejesha."
    ),
    "policy.return_unknown_item": "Bidhaa {sku} si sehemu ya agizo {order_id}.",
    "policy.order_closed": "Hilo haliwezekani: agizo {status}.",
    "policy.out_of_stock": "Samahani, {name} imeisha kwa sasa, kwa hivyo siwezi kuiagiza.",
    "policy.cod_limit": "Malipo wakati wa kupokea bidhaa yanapatikana tu kwa maagizo ya hadi $200.",
    "policy.quantity_invalid": "Idadi lazima iwe angalau 1.",
    "policy.see": "Sera: {title}",
    # Agree with "agizo" (the order), as in policy.order_closed: "agizo limeghairiwa".
    "status.pending": "linasubiri",
    "status.processing": "linaandaliwa",
    "status.shipped": "limesafirishwa",
    "status.delivered": "limewasilishwa",
    "status.cancelled": "limeghairiwa",
    "status.returned": "limerejeshwa",
    "doc.damage_photo": "Picha za uharibifu",
    "doc.return_form": "Fomu ya kurejesha bidhaa",
    "doc.tax_certificate": "Cheti cha kodi",
    "doc.id_document": "Hati ya utambulisho",
    "doc.other": "Hati nyingine",
    "quick.human": "Ongea na mhudumu",
    "quick.order_status": "Agizo langu liko wapi?",
    "quick.returns": "Kurejesha bidhaa hufanyikaje?",
    "widget.title": "Baobab Home — zungumza nasi",
    "widget.placeholder": "Andika ujumbe…",
    "widget.send": "Tuma",
    "widget.attach": "Ambatisha faili",
    "widget.open": "Zungumza nasi",
    "widget.close": "Funga gumzo",
    "widget.typing": "Msaidizi anaandika…",
    "widget.agent_joined": "{name} kutoka timu yetu ya huduma kwa wateja amejiunga na gumzo.",
    "widget.sources": "Vyanzo",
    "widget.error": "Samahani, kuna hitilafu. Tafadhali jaribu tena.",
    "widget.welcome": "Habari! Tuulize chochote kuhusu Baobab Home, au chagua mada hapa chini.",
    "widget.bot_name": "Msaidizi wa Baobab Home",
    "widget.agent_name": "Timu ya huduma · mtu halisi anajibu",
    "widget.you": "Wewe",
    "widget.messages": "Mazungumzo",
    "widget.quick_replies": "Majibu yanayopendekezwa",
    "widget.job_running": "⏳ {job}…",
    "widget.job.cancel_order": "Tunaghairi agizo lako",
    "widget.job.return_item": "Tunafungua urejeshaji wako",
    "widget.job.change_address": "Tunabadilisha anwani ya kupelekea",
    "widget.job.place_order": "Tunaweka agizo lako",
    "widget.job.request_invoice": "Tunaleta ankara yako",
    "widget.job.file_document": "Tunahifadhi hati yako",
    "widget.job.other": "Tunashughulikia ombi lako",
    "widget.uploading": "Inatuma {name}…",
    "widget.attached": "Faili imetumwa: {name}",
    "widget.attach_failed": "Samahani, faili haikuweza kutumwa. Tafadhali jaribu tena baadaye.",
    "widget.attach_too_large": "Faili ni kubwa mno; kikomo ni MB {size}.",
    "widget.not_sent": "Haijatumwa.",
    "widget.retry": "Jaribu tena",
    "widget.offline": "Muunganisho umekatika — tunaunganisha tena…",
    "shop.title": "Baobab Home",
    "shop.tagline": "Bidhaa za nyumbani na vifaa vidogo vya kielektroniki kwa kila siku.",
    "shop.products": "Bidhaa zetu",
    "shop.language": "Lugha",
    "shop.in_stock": "Zipo",
    "shop.out_of_stock": "Zimeisha",
    "shop.signed_in": "Umeingia kama mteja wa majaribio {name}",
    "shop.sign_in": "Ingia kama mteja wa majaribio",
    "shop.sign_out": "Toka",
    "shop.unknown_customer": "Hakuna mteja wa majaribio {customer}.",
    "shop.category.electronics": "Vifaa vya kielektroniki",
    "shop.category.furniture": "Samani",
    "shop.category.homeware": "Vyombo vya nyumbani",
    "shop.category.kitchen": "Jikoni",
    "shop.category.lighting": "Taa",
    "shop.category.textiles": "Nguo na vitambaa",
    "canned.greeting": "Habari, mimi ni {agent} kutoka huduma kwa wateja ya Baobab Home. Nimesoma mazungumzo yetu na niko hapa kukusaidia.",
    "canned.checking": "Asante kwa kusubiri. Ninakuangalia hili sasa hivi; itachukua dakika chache.",
    "canned.order_update": "Nimesasisha agizo lako. Utaona mabadiliko kwenye maelezo ya agizo lako hivi karibuni.",
    "canned.anything_else": "Je, kuna jambo lingine ninaloweza kukusaidia?",
    "canned.goodbye": "Asante kwa kuwasiliana na Baobab Home. Uwe na siku njema!",
}

PL: dict[str, str | tuple[str, ...]] = {
    "greeting.reply": (
        "Dzień dobry! Jestem asystentem Baobab Home. Mogę odpowiedzieć na pytania o dostawę, zwroty, "
        "płatności "
        "i nie tylko, sprawdzić zamówienie albo pomóc je anulować, zwrócić lub zmienić. W czym mogę pomóc?"
    ),
    "goodbye.reply": "Dziękujemy za kontakt z Baobab Home. Miłego dnia!",
    "out_of_scope.reply": (
        "Przykro mi, w tym nie mogę pomóc. Mogę odpowiadać na pytania o nasz sklep i jego zasady, "
        "sprawdzać "
        "zamówienia oraz pomagać w anulowaniu, zwrotach, zmianie adresu, fakturach i nowych zamówieniach."
    ),
    "not_understood.reply": "Przepraszam, nie do końca rozumiem. Czy można to ująć innymi słowami?",
    "handoff.offer": "Czy połączyć z konsultantem z naszego zespołu obsługi klienta?",
    "handoff.started": (
        "Łączę z konsultantem z naszego zespołu obsługi klienta; zobaczy on całą naszą rozmowę. "
        "Zespół pracuje od poniedziałku do soboty w godz. 08:00–20:00 czasu wschodnioafrykańskiego."
    ),
    "handoff.waiting": "Konsultant z naszego zespołu obsługi klienta wkrótce odpowie tutaj.",
    "handoff.returned": "Jestem z powrotem. W czym jeszcze mogę pomóc?",
    "backoffice.unavailable": "Przepraszam, w tej chwili nie mogę połączyć się z systemem zamówień. Proszę spróbować ponownie za kilka minut albo mogę połączyć z konsultantem.",
    "ask.order_id": "Proszę podać numer zamówienia. Wygląda tak: SO-12345.",
    "ask.order_id_again": (
        "To nie wygląda na numer zamówienia. Numer wygląda tak: SO-12345 — proszę go sprawdzić."
    ),
    "ask.address": "Proszę podać nowy adres dostawy (ulica, miasto, kod pocztowy, kraj).",
    "ask.sku": "O jaki produkt chodzi? Można wpisać jego nazwę lub kod, np. BH-1001.",
    "ask.product_choice": "O który chodzi?",
    "ask.quantity": "Ile sztuk?",
    "ask.doc_type": "Jaki to rodzaj dokumentu?",
    "ask.document": (
        "Proszę dołączyć dokument przyciskiem ze spinaczem i napisać, którego zamówienia dotyczy."
    ),
    "verify.ask": (
        "Ze względu na ochronę prywatności proszę podać adres e-mail lub numer telefonu użyty "
        "przy zamówieniu {order_id}."
    ),
    "verify.ask_order": (
        "Najpierw muszę potwierdzić tożsamość: proszę podać numer jednego ze swoich zamówień. Wygląda tak: "
        "SO-12345."
    ),
    "verify.ok": "Dziękuję, {name} — tożsamość została potwierdzona.",
    "verify.failed": (
        "Przepraszam, te dane nie zgadzają się z informacjami dla tego zamówienia. "
        "Proszę sprawdzić i spróbować ponownie."
    ),
    "verify.locked": (
        "Nie udało mi się potwierdzić tożsamości, więc ze względów bezpieczeństwa przekażę rozmowę "
        "konsultantowi."
    ),
    "order.not_found": (
        "Nie udało mi się znaleźć zamówienia {order_id} na liście zamówień. Proszę sprawdzić numer."
    ),
    "order.status.pending": "Zamówienie {order_id} zostało przyjęte i czeka na realizację.",
    "order.status.processing": "Zamówienie {order_id} jest kompletowane w naszym magazynie.",
    "order.status.shipped": "Zamówienie {order_id} jest w drodze. Numer przesyłki: {tracking}.",
    "order.status.delivered": "Zamówienie {order_id} zostało dostarczone {date}.",
    "order.status.cancelled": "Zamówienie {order_id} zostało anulowane.",
    "order.status.returned": "Zamówienie {order_id} zostało zwrócone.",
    "order.summary": (
        "{count} produkt: {items}. Razem: {total}.",
        "{count} produkty: {items}. Razem: {total}.",
        "{count} produktów: {items}. Razem: {total}.",
    ),
    "stock.available": "Produkt {name} ({sku}) jest dostępny: {stock} szt. w cenie {price} za sztukę.",
    "stock.out": "Produkt {name} ({sku}) jest chwilowo niedostępny.",
    "product.not_found": (
        "Nie udało mi się znaleźć tego produktu. Czy można wpisać jego nazwę lub kod, np. BH-1001?"
    ),
    "confirm.cancel_order": (
        "Proszę potwierdzić: anulowanie zamówienia {order_id} ({items}, razem {total}). Anulowanie jest "
        "bezpłatne, "
        "a zwrot środków trafi na pierwotną metodę płatności. Czy mam kontynuować?"
    ),
    "confirm.return_item": (
        "Proszę potwierdzić: zgłoszenie zwrotu produktu {item} z zamówienia {order_id}. Czy mam kontynuować?"
    ),
    "confirm.change_address": (
        "Proszę potwierdzić: zmiana adresu dostawy zamówienia {order_id} na „{address}”. Czy mam kontynuować?"
    ),
    "confirm.place_order": (
        "Proszę potwierdzić: zamówienie {quantity} × {name} ({sku}) w cenie {price} za sztukę, razem "
        "{total} "
        "plus koszt dostawy. Czy mam kontynuować?"
    ),
    "confirm.yes": "Tak, kontynuuj",
    "confirm.no": "Nie",
    "confirm.declined": "Dobrze, nic nie zostało zmienione. Czy mogę jeszcze w czymś pomóc?",
    "confirm.ask_again": "Proszę odpowiedzieć tak lub nie: czy mam kontynuować?",
    "flow.dropped": "Nie ma problemu, ta prośba została anulowana. W czym jeszcze mogę pomóc?",
    "job.queued.cancel_order": (
        "Dziękuję! Anuluję teraz zamówienie {order_id} i dam znać tutaj, gdy będzie gotowe."
    ),
    "job.queued.return_item": "Dziękuję! Zgłaszam teraz zwrot do zamówienia {order_id} i dam znać tutaj.",
    "job.queued.change_address": "Dziękuję! Zmieniam teraz adres zamówienia {order_id} i dam znać tutaj.",
    "job.queued.place_order": "Dziękuję! Składam teraz zamówienie i dam znać tutaj, gdy będzie gotowe.",
    "job.queued.request_invoice": "Pobieram fakturę do zamówienia {order_id}; za chwilę pojawi się tutaj.",
    "job.queued.file_document": "Dziękuję, zapisuję teraz dokument.",
    "job.succeeded.cancel_order": (
        "Zamówienie {order_id} zostało anulowane. Zwrot {total} trafi na pierwotną metodę płatności "
        "w ciągu 5 dni roboczych."
    ),
    "job.succeeded.return_item": (
        "Zwrot {rma} do zamówienia {order_id} został otwarty. Proszę zapakować nieużywany produkt w "
        "oryginalne "
        "opakowanie; zwrot środków nastąpi w ciągu 5 dni roboczych od dotarcia przesyłki do naszego "
        "magazynu."
    ),
    "job.succeeded.change_address": "Adres dostawy zamówienia {order_id} to teraz: {address}.",
    "job.succeeded.place_order": (
        "Zamówienie {order_id} zostało złożone: {quantity} × {name}, razem {total}."
    ),
    "job.succeeded.request_invoice": "Oto faktura {invoice} do zamówienia {order_id}: {link}",
    "job.succeeded.file_document": (
        "Dokument został zapisany w folderze klienta (numer referencyjny {reference})."
    ),
    "job.failed": (
        "Przepraszam, nie udało mi się tego wykonać w naszym systemie: {reason}. Czy połączyć z konsultantem?"
    ),
    "job.needs_review": (
        "To wymaga krótkiej weryfikacji przez nasz zespół. Dam znać tutaj, gdy tylko będzie gotowe."
    ),
    "policy.cancel_after_shipping": (
        "Zamówienie {order_id} zostało już wysłane, więc nie można go anulować. "
        "Po dostarczeniu można je zwrócić w terminie zwrotu."
    ),
    "policy.address_after_shipping": (
        "Zamówienie {order_id} zostało już wysłane, więc nie można już zmienić jego adresu dostawy."
    ),
    "policy.return_window_passed": (
        "Termin zwrotu tego produktu wynosi {days} dni od dostawy, a produkt został dostarczony {since} "
        "dni temu, "
        "więc nie można go już zwrócić. Jeśli jest wadliwy, może go obejmować gwarancja."
    ),
    "policy.return_not_delivered": (
        "Zamówienie {order_id} nie zostało jeszcze dostarczone, więc nie ma czego zwracać."
    ),
    "policy.return_unknown_item": "Produkt {sku} nie należy do zamówienia {order_id}.",
    "policy.order_closed": "To niemożliwe: zamówienie ma status „{status}”.",
    "policy.out_of_stock": (
        "Przepraszam, produkt {name} jest chwilowo niedostępny, więc nie mogę go zamówić."
    ),
    "policy.cod_limit": "Płatność przy odbiorze jest dostępna tylko dla zamówień do $200.",
    "policy.quantity_invalid": "Ilość musi wynosić co najmniej 1.",
    "policy.see": "Zasady: {title}",
    "status.pending": "oczekujące",
    "status.processing": "w przygotowaniu",
    "status.shipped": "wysłane",
    "status.delivered": "dostarczone",
    "status.cancelled": "anulowane",
    "status.returned": "zwrócone",
    "doc.damage_photo": "Zdjęcia uszkodzeń",
    "doc.return_form": "Formularz zwrotu",
    "doc.tax_certificate": "Zaświadczenie podatkowe",
    "doc.id_document": "Dokument tożsamości",
    "doc.other": "Inny dokument",
    "quick.human": "Rozmowa z konsultantem",
    "quick.order_status": "Gdzie jest moje zamówienie?",
    "quick.returns": "Jak działają zwroty?",
    "widget.title": "Baobab Home — napisz do nas",
    "widget.placeholder": "Napisz wiadomość…",
    "widget.send": "Wyślij",
    "widget.attach": "Dołącz plik",
    "widget.open": "Napisz do nas",
    "widget.close": "Zamknij czat",
    "widget.typing": "Asystent pisze…",
    "widget.agent_joined": "{name} z naszego zespołu obsługi klienta dołącza do czatu.",
    "widget.sources": "Źródła",
    "widget.error": "Przepraszamy, coś poszło nie tak. Proszę spróbować ponownie.",
    "widget.welcome": "Dzień dobry! Zapytaj nas o cokolwiek w Baobab Home albo wybierz temat poniżej.",
    "widget.bot_name": "Asystent Baobab Home",
    "widget.agent_name": "Zespół obsługi · odpowiada konsultant",
    "widget.you": "Ty",
    "widget.messages": "Rozmowa",
    "widget.quick_replies": "Proponowane odpowiedzi",
    "widget.job_running": "⏳ {job}…",
    "widget.job.cancel_order": "Anulujemy zamówienie",
    "widget.job.return_item": "Otwieramy zwrot",
    "widget.job.change_address": "Zmieniamy adres dostawy",
    "widget.job.place_order": "Składamy zamówienie",
    "widget.job.request_invoice": "Pobieramy fakturę",
    "widget.job.file_document": "Zapisujemy dokument",
    "widget.job.other": "Realizujemy prośbę",
    "widget.uploading": "Wysyłanie pliku {name}…",
    "widget.attached": "Wysłano plik: {name}",
    "widget.attach_failed": "Przepraszamy, nie udało się wysłać pliku. Proszę spróbować później.",
    "widget.attach_too_large": "Plik jest za duży; limit to {size} MB.",
    "widget.not_sent": "Nie wysłano.",
    "widget.retry": "Ponów",
    "widget.offline": "Utracono połączenie — łączymy ponownie…",
    "shop.title": "Baobab Home",
    "shop.tagline": "Artykuły domowe i mała elektronika na co dzień.",
    "shop.products": "Nasze produkty",
    "shop.language": "Język",
    "shop.in_stock": "Dostępny",
    "shop.out_of_stock": "Niedostępny",
    "shop.signed_in": "Zalogowano jako klient demo {name}",
    "shop.sign_in": "Zaloguj jako klient demo",
    "shop.sign_out": "Wyloguj",
    "shop.unknown_customer": "Nie ma klienta demo {customer}.",
    "shop.category.electronics": "Elektronika",
    "shop.category.furniture": "Meble",
    "shop.category.homeware": "Dom",
    "shop.category.kitchen": "Kuchnia",
    "shop.category.lighting": "Oświetlenie",
    "shop.category.textiles": "Tekstylia",
    "canned.greeting": "Dzień dobry, z tej strony {agent} z obsługi klienta Baobab Home. Przeczytałem/am naszą rozmowę i chętnie pomogę.",
    "canned.checking": "Dziękuję za cierpliwość. Sprawdzam to teraz; zajmie to kilka minut.",
    "canned.order_update": "Zaktualizowałem/am Pani/Pana zamówienie. Zmiana będzie wkrótce widoczna w szczegółach zamówienia.",
    "canned.anything_else": "Czy mogę pomóc w czymś jeszcze?",
    "canned.goodbye": "Dziękujemy za kontakt z Baobab Home. Miłego dnia!",
}

TRANSLATIONS: dict[str, dict[str, str | tuple[str, ...]]] = {"ar": AR, "fa": FA, "sw": SW, "pl": PL}


def write_po() -> None:
    import re
    import sys
    from pathlib import Path

    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po as babel_write_po

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from i18n_messages_en import MESSAGES

    def placeholders(text: str | tuple[str, ...]) -> set[str]:
        texts = text if isinstance(text, tuple) else (text,)
        return {name for part in texts for name in re.findall(r"{(\w+)}", part)}

    for language, messages in TRANSLATIONS.items():
        missing, extra = MESSAGES.keys() - messages.keys(), messages.keys() - MESSAGES.keys()
        if missing or extra:
            raise SystemExit(f"{language}: missing {sorted(missing)}, extra {sorted(extra)}")
        catalog = Catalog(
            locale=language,
            project="Tandem",
            domain="tandem",
            copyright_holder="Tandem contributors",
            fuzzy=False,
        )
        for key, source in MESSAGES.items():
            text = messages[key]
            if isinstance(source, tuple):
                forms = tuple(text) if isinstance(text, tuple) else (text,)
                # Languages with a single plural form (fa) keep the first one.
                forms = (forms + forms[-1:] * catalog.num_plurals)[: catalog.num_plurals]
                if not placeholders(forms) <= placeholders(source):
                    raise SystemExit(f"{language}: {key}: unknown placeholders")
                catalog.add((key, key), string=forms)
            else:
                if placeholders(text) != placeholders(source):
                    raise SystemExit(f"{language}: {key}: placeholders differ")
                catalog.add(key, string=text)
        target = Path(__file__).resolve().parents[1] / "tandem" / "locales" / f"{language}.po"
        with target.open("wb") as handle:
            babel_write_po(handle, catalog, width=0, omit_header=False)


if __name__ == "__main__":
    write_po()
