### The public pages: the words every page shares, the start page and the help it gives.
### English is the source; see docs/src/languages.md for how a language is added.

## Every page (layout.html, exit.html)
service-name = Share information with the police
follow-up-link = Check for a reply to a report
menu-label = Menu
languages-label = Languages
urgent-banner = This service is not monitored 24 hours a day. If someone is in danger now, call <strong>999</strong>. For other police matters call <strong>101</strong>.
skip-link = Skip to main content
support-links = Support links
accessibility-link = Accessibility statement
privacy-link = Privacy notice
deaf-contacts = Deaf, hard of hearing or speech impaired: text 999 if you have registered with emergencySMS, or use Relay UK on 18000 (18001 101 for non-emergencies).
exit-hidden = Emergency
exit-button = Exit this page
error-prefix = Error:
warning-hidden = Warning
error-summary-title = There is a problem
back = Back
continue = Continue
go-to-start = Go to the start page

## Answers every yes/no question offers (a form may word its own)
option-yes = Yes
option-no = No
option-not_sure = Not sure

## The start page (home.html)
home-title = Report a concern
home-danger-now = If someone is in danger now, or something is happening right now, call 999.
home-other-matters = For other police matters call 101. If you are worried about a specific child, also contact children's social care on { $phone }.
home-what-it-is = Use this service to tell North Yorkshire Police about something that worries you. What you send is locked (encrypted) as soon as it arrives, and only the police intelligence team can read it.
home-hide = If you are worried someone might see that you have used this service, read <a href="/hide-your-visit{ $query }" class="govuk-link">how to hide your visit</a>. Use <strong>Exit this page</strong> to leave quickly: it clears the answers you have typed.
home-choose = Choose the form that fits you
home-for-professional = For people who work with children or young people, or in a public service.
home-for-community = For anyone else. You do not have to give your name.
home-already-sent = Already sent a report?
home-follow-up = If you were given a follow-up code, you can <a href="/follow-up{ $query }" class="govuk-link">check for a reply to a report</a>. You can read questions or news from the police and add more information, without giving your name.
home-before = Before you start
home-before-text = The form for the public takes about 10 minutes. The form for professionals takes 15 to 30 minutes for a typical report (two people, a phone, a car and a place), and shows every section on a list you can go back to. Each form asks a few questions first to check whether you should call 999 instead. You can check your answers before you send them.
home-next = What happens next
home-next-text = You get a reference number when your information has been saved. The police read every report. They may not contact you, and they will not tell anyone who made a report.

## Other places to get help (signposting.html)
help-title = Other ways to get help
help-child = <strong>If you are a child or young person</strong> and want to talk to someone: Childline on <span class="app-nowrap">{ $phone }</span>. It is free and does not show on phone bills.
help-worried = <strong>If you are worried about a child</strong> and want advice: NSPCC helpline on <span class="app-nowrap">{ $phone }</span>.
help-online = <strong>If something happened online</strong>, like a child being asked for photos or to meet up: report it to CEOP at <span class="app-nowrap">{ $address }</span>.
help-anonymous = <strong>If you want to stay completely anonymous</strong>: Crimestoppers on <span class="app-nowrap">{ $phone }</span>. They never ask your name.

## Call 999 now (interruption.html, narrative_check.html)
call-999-now = Call 999 now
call-999-text = If someone is in danger, or something is happening now or in the next few hours, call 999. This form is not watched 24 hours a day.
deaf-label = Deaf, hard of hearing or speech impaired:
relay-label = Relay UK:
call-999-still = You can still tell us what you know. When you send this form it will be marked as urgent.
call-999-continue = Continue to the form
danger-title = Is anyone in danger now?
danger-noticed = Something you wrote suggests someone may be in danger now or soon:
danger-call = If someone is in danger, or something is happening now or in the next few hours, call 999 now. This form is not watched 24 hours a day.
danger-answer-sent = Your answer is sent with your report, so the police know how urgent it is. You can still send the report whatever you answer.

## A form's pages (form.html)
or = or
only-if-chose = Only if you chose “{ $option }”:
pick-hint = Choose from the people you have added. If they are not listed, add them under People first.
pick-none = Not known, or not listed
tasks-title = Your report
save-later = Save and come back later
saved-title = Your answers have been saved
saved-sent = We have sent a link to the work email address you gave. Open it to carry on with the form. It works once, for { $days } days; after that the answers are deleted.
saved-once = Open the link in the browser you want to finish the form in: the answers will then be in that browser only, until you send them, leave with Exit or stop for an hour.
saved-not-here = Nothing of your answers is left in this browser.
resume-title = Carry on with your saved form
resume-key-label = Key to your saved answers
resume-key-hint = With JavaScript on, this is filled in from the link in your email. Without it, copy the part of the link after the # sign and paste it here. It is sent only in this form, never in a web address.
resume-continue = Continue
resume-failed = This link has already been used, has expired, or was not copied in full
copy-link = Print or save a copy of what you sent
copy-link-hint = For your own records. It is available for a short time only, in this browser, and not after you leave with Exit.
copy-title = A copy of the information you sent
copy-reference = reference
copy-sent-on = Sent on { $date }.
copy-how = To keep a copy, use your browser's Print option (Ctrl and P, or Share then Print on a phone) and choose a printer, or Save as PDF to keep a file. The reference is printed at the top of every page.
copy-short-time = Keep it as your organisation's records policy says. This page is available for a short time only, in this browser: it is not stored anywhere you can come back to.
copy-back = Back to the confirmation
tasks-link = Save and view all sections
tasks-view = View all sections
tasks-done = You have completed { $done } of { $total } sections.
task-completed = Completed
task-in-progress = In progress
task-not-started = Not started
tasks-check = Check your answers and send
tasks-check-later = When every section is complete, you can check your answers and send the form.
date-day = Day
date-month = Month
date-year = Year
characters-up-to = You can enter up to { $max } characters
form-part = { $form }: part { $part } of { $parts }
honeypot-label = Leave this box empty
remove = Remove
entry-empty = Nothing entered yet
add-another = Add another { $item }
added-most = You have added the most this form allows ({ $max }).
save-and-back = Save and go back to check your answers

## Follow up on a report (follow_up.html)
fu-title = Follow up on a report
fu-your-report-title = Your report
fu-intro = If you were given a follow-up code when you sent a report, enter it here to see whether the police have a question or news for you, and to add more information.
fu-danger = If someone is in danger now, call 999.
fu-code-label = Your follow-up code
fu-code-hint = Eight words, for example: ribcage pebble outboard tulip grudging wiring unstable lullaby. Codes given before as 20 letters and numbers, such as 7KQ2-M9XD-A1B0-CDEF-GH12, still work.
fu-lost-code = If you have lost your code, nobody can find it for you. To add information, <a class="govuk-link" href="/{ $query }">send a new report</a> and mention your reference number if you have it.
fu-success = Success
fu-sent-again = This had already been sent.
fu-sent = What you added has been sent to the police.
fu-its-reference = Its reference number is
call-999-if-not = If you have not already, call 999 now.
fu-your-report = Your report
fu-status = Status
fu-since = since { $date }
fu-messages = Messages
fu-from-police = From the police
fu-from-you = From you
fu-no-messages = There are no messages yet.
fu-add-label = Answer or add information
fu-add-hint = It goes to the police intelligence team with your report's reference. Up to { $max } characters.
fu-send = Send
fu-add-files = Add photos or documents (optional)
fu-check-new = Check for new messages
fu-finished = When you have finished, close this page or use Exit this page. Nothing here is kept in your browser.

## Check your answers (check.html)
check-title = Check your answers
check-heading = Check your answers before sending
check-nothing-sent = Nothing has been sent yet. You can change any answer.
check-files-first = If you want to add photos, screenshots or documents, change any answers first: files are chosen at the end of this page, just before you send, and are not kept if you go back or change an answer.
check-change = Change
check-change-hidden = answers: { $section }
check-no-answers = No answers in this part.
check-add-files = Add photos, screenshots or documents (optional)
check-files-limits = You can add up to { $files } files: JPG, PNG or WebP images. Each must be smaller than { $each } MB, and all of them together smaller than { $total } MB.
check-files-limits-pdf = You can add up to { $files } files: JPG, PNG or WebP images, or PDF documents. Each must be smaller than { $each } MB, and all of them together smaller than { $total } MB.
check-files-cleaned = Photos and screenshots are cleaned before they are sent: details your phone or camera stores inside them, such as where and when a photo was taken and which device took it, are removed.
check-documents-as-they-are = Documents are sent as they are.
check-choose-again = Your answers are kept: choose your files again.
check-want-code = Do you want a follow-up code?
check-code-hint = With a code you can come back to this website to see if the police have a question or news for you, and to add more information. The code is shown once, after you send your report.
check-code-hint-community = With a code you can come back to this website to see if the police have a question or news for you, and to add more information, without giving your name. The code is shown once, after you send your report.
check-code-yes = Yes, give me a follow-up code
check-code-no = No, I do not want a code
check-now-send = Now send your report
check-encrypted = When you send it, your report and any files are encrypted and go to the police intelligence team.
check-send = Send report

## Information sent (confirmation.html)
sent-title = Information sent
sent-your-reference = Your reference number
sent-write-down = Write the reference down or take a screenshot if it is safe to do so. It is not shown anywhere else.
sent-next-text = The police intelligence team will read your information and decide what to do. They may share it with other organisations that keep children safe. They will not tell anyone who made the report.
sent-urgent = This service is not monitored 24 hours a day. Your information has been marked as urgent, but a call is the fastest way to get help. Deaf, hard of hearing or speech impaired: { $sms }, or Relay UK on { $relay }.
sent-code-title = Your follow-up code
sent-copy-code = Copy code
sent-code-write-down = Write this code down now. It is shown only this once: nobody can show it to you again or find it for you.
sent-code-keep = Keep the code with your reference number, somewhere the person you reported cannot see it.
sent-when-check = When to check for a reply
sent-when-check-text = The police may have a question for you within a few days. Check after 3 days, and then once a week for the next few weeks.
sent-how-check = To check, choose <a class="govuk-link" href="/follow-up{ $query }">Check for a reply to a report</a> at the top of any page of this website and enter the code. You can also add more information there. The police cannot see the code, and nobody can read their messages to you without it.
sent-code-failed = A follow-up code could not be made just now. Your report has been sent. To add more information, fill in a new form and mention this reference.

## How to hide your visit (hide_your_visit.html)
hide-title = How to hide your visit
hide-intro = If you are worried someone might find out you have visited this website, there are things you can do to hide your visit.
hide-limits = These steps may not hide everything. Someone who has set up software on your device to watch what you do may still see it. If you can, use a device the person you are worried about cannot use, such as a friend's phone or a library computer.
hide-leave = Leave quickly
hide-leave-text = Use the <strong>Exit this page</strong> button at the top of each page to go to a weather website straight away. On a computer with a keyboard you can also press the Shift key 3 times.
hide-leave-form = On a form, Exit also deletes the answers you have typed so far, so they cannot be seen by going back in the browser. It does not remove the visit from your browser's history.
hide-private = Use private browsing
hide-private-text = A private window does not keep the pages you visit in your history once you close it. It is called:
hide-private-chrome = Incognito in Google Chrome
hide-private-safari = Private Browsing in Safari and Firefox
hide-private-edge = InPrivate in Microsoft Edge
hide-private-samsung = Secret mode in Samsung Internet
hide-private-close = Close every private window when you have finished.
hide-history = Delete your browsing history
hide-history-text = If you did not use a private window, delete this website from your browser history. Open your browser's history (often in the menu under <strong>History</strong>), find the pages from this website and delete them. Deleting only some pages looks less unusual than deleting your whole history.
hide-shared = On a shared phone, tablet or computer
hide-shared-code = Do not save your follow-up code or reference in notes, photos or messages the other person can see. Write them somewhere only you can get to.
hide-shared-clipboard = If you copied the follow-up code, copy something else afterwards so it is not left on the clipboard.
hide-shared-tab = Close this website's tab when you have finished.
hide-shared-account = Check you are not signed in to an account the other person can also see, such as a shared Google or Apple account, which may sync your history to other devices.

## The character count as GOV.UK Frontend's script counts down ({ $count } is its placeholder)
cc-under-one = You have { $count } character remaining
cc-under-other = You have { $count } characters remaining
cc-at-limit = You have 0 characters remaining
cc-over-one = You have { $count } character too many
cc-over-other = You have { $count } characters too many

## A form sent twice (confirmation.html); `sent-duplicate-new*` hold a link
sent-duplicate = This form had already been sent, so it was not sent again and any changes made since were not sent. The reference is the same.
sent-duplicate-new = To add or correct something, <a class="govuk-link" href="/forms/{ $form }{ $query }">fill in a new form</a> and mention this reference.
sent-duplicate-new-professional = To add or correct something, <a class="govuk-link" href="/forms/{ $form }">fill in a new form</a> and give this reference as the previous reference.

## The email with a saved form's link (http/saved.rs): plain text, { $link } on its own line
saved-email-subject = Your saved form
saved-email-body =
    You saved a form to finish later.

    To carry on, open this link in a web browser. It works once, and for { $days } days:
    { $link }

    The link holds the only key to your saved answers: do not forward this email. Once you
    open the link, the answers are in that browser only.

    If you did not ask for this, ignore this email: the saved answers will be deleted.

    Do not reply to this email: replies are not read.

## Dates in words (check your answers, the follow-up page, the printed copy); { $month } is 1 to 12
date-in-words = { $day } { $month ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
} { $year }
date-month-year = { $month ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
} { $year }

## Between the answers an "Add another" entry sums up (form.html), and in a check-your-answers row
list-comma = {", "}
