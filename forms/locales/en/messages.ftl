### Words the gateway's code writes in English (a page's title and paragraphs, a notice kept
### in a journey's draft, a follow-up error). Other languages translate them by id; the code
### finds the id by these English words, so an edit here must match the code's text.

msg-not-found = Page not found
msg-check-address = If you typed the web address, check it is correct.
msg-start-again = You can start again from the home page.
msg-problem-service = Sorry, there is a problem with the service
msg-problem-this-service = Sorry, there is a problem with this service
msg-not-kept = Your answers could not be kept. Try again in a few minutes.
msg-danger-999-101 = If someone is in danger now, call 999. Otherwise you can call 101.
msg-danger-999 = If someone is in danger now, call 999.
msg-link-used = It may have been used already, or be too old. Each link works once.
msg-link-unusable = This link cannot be used
msg-wait-minute = Nothing has been sent yet. Wait a minute, go back and send the form again: your answers are still on the page you came from.
msg-check-connection = Nothing has been sent. Check your connection, go back and send the form again.
msg-few-minutes = Nothing has been sent. Go back and send the form again in a few minutes: your answers are kept.
msg-go-back-send = Nothing has been sent. Go back and send the form again.
msg-go-back-try = Nothing has been sent. Go back and try again.
msg-shorten = Nothing has been sent. Go back, shorten the longest answers or send fewer or smaller files, and send the form again.
msg-open-follow-up = Nothing has been sent. Open the follow-up page again from this site.
msg-open-form = Nothing has been sent. Open the form again from this site and fill it in there.
msg-please-wait = Please wait a minute and try again. Nothing you typed has been sent yet: go back to keep your answers.
msg-send-from-follow-up = Send it from the follow-up page on this site.
msg-send-from-form = Send the form from its page on this site.
msg-not-saved = Sorry, your report could not be saved
msg-busy-files = The service is busy receiving files
msg-form-unchecked = This form could not be checked
msg-form-unread = This form could not be read
msg-page-unchecked = This page could not be checked
msg-page-unread = This page could not be read
msg-too-many = Too many requests
msg-try-later = Try again in a few minutes. Anything you wrote has not been sent: go back to keep it.
msg-too-long = Your answers are too long to send
msg-did-not-arrive = Your answers did not arrive
msg-too-slow = Your answers took too long to arrive
msg-page-open-long = This page had been open for a long time. Your answers have not been sent yet: check them and send the form again.
msg-files-not-kept = The files you chose have not been kept. Choose them again on the Check your answers page, just before you send your report.
msg-fu-open-long = This page had been open for a long time. Enter your code again.
msg-fu-no-match = No report matches this code. Check you have typed it as it was shown to you
msg-fu-enter = Enter what you want to add or tell the police
msg-danger-unanswered = Select yes if anyone is in danger now or something will happen in the next 24 hours

## What the danger question says was noticed (config/triage.toml `plain`, never the submitter's words)
noticed-hurt = You wrote that someone could be seriously hurt or killed.
noticed-threatened-harm = You wrote that someone has been threatened with serious harm.
noticed-now = You wrote that something may be happening right now.
noticed-24h = You wrote that something may happen in the next 24 hours.
noticed-missing = You wrote that a child is missing and may be with someone dangerous.
noticed-weapon = You wrote about a knife, gun or other weapon.
noticed-held = You wrote that someone is being kept somewhere and cannot leave.
noticed-medical = You wrote that someone may need urgent medical help.
noticed-retaliation = You wrote that someone has been threatened because of what was told.
noticed-online = You wrote that a child is being hurt or threatened online.
noticed-contact = You wrote that an adult's contact with a child is growing.
noticed-evidence = You wrote that evidence may be lost soon.

## The follow-up page (follow_up.rs): the code, what is added, the files, the status
msg-fu-enter-code = Enter your follow-up code
msg-fu-code-20 = A follow-up code is 20 letters and numbers. Check you have typed it as it was shown to you
msg-fu-code-characters = A follow-up code has only letters and numbers. Check you have typed it as it was shown to you
msg-fu-code-words = A follow-up code is eight words from our word list. Check you have typed it as it was shown to you
msg-fu-too-long = What you add must be { $max } characters or fewer
msg-fu-unopened = This message could not be opened.
msg-fu-files-again = { $problem }. Choose your files again
msg-fu-file-unread = A file could not be read. Choose it again, or send what you wrote without it
msg-status-received = Received
msg-status-being-looked-at = Being looked at
msg-status-passed-to-team = Passed to the right team
msg-status-closed = Closed

## Files refused, on the check page and the follow-up page (attachments/limits.rs, form_send.rs)
msg-files-too-many = You can add up to { $max } files
msg-file-empty = File { $n } is empty
msg-file-too-large = File { $n } must be smaller than { $size }
msg-files-too-large = The files together must be smaller than { $size }
msg-file-not-accepted-pdf = File { $n } must be a JPG, PNG, WebP or PDF
msg-file-not-accepted = File { $n } must be a JPG, PNG or WebP image
msg-file-damaged = File { $n } could not be opened: it may be damaged
msg-file-too-many-pixels = File { $n } must be smaller than { $max } megapixels
msg-file-unread = A file could not be read. Choose it again, or send the report without it

## Save and come back later (form_save.rs)
msg-save-needs-email = To save your answers and come back later, first enter your work email address here: the link to your saved form is sent there. Then choose Save and come back later again.
msg-save-not-sent = Your answers could not be saved for later, because the email with the link could not be sent. They are still here: try again in a few minutes, or carry on now.
