// pis-gateway: the one script the pages load (/static/app.js, built by build.sh).
// The CSP is `script-src 'self'`, so the body classes that GOV.UK's page template sets with an
// inline script are set here instead. Load this at the end of <body> (or with `defer`).
import {
  Button,
  CharacterCount,
  Checkboxes,
  ErrorSummary,
  ExitThisPage,
  NotificationBanner,
  Radios,
  SkipLink,
  createAll
} from 'govuk-frontend'

function start () {
  const body = document.body
  body.classList.add('js-enabled')
  // Same test as govuk-frontend's own template: only browsers that support ES modules
  // get the enhanced components; the rest keep the plain-HTML behaviour.
  if ('noModule' in HTMLScriptElement.prototype) {
    body.classList.add('govuk-frontend-supported')
  }

  // Exit this page first: its Shift-Shift-Shift shortcut matters most.
  for (const Component of [
    LeaveWithoutTrace,
    SkipLink,
    ErrorSummary,
    NotificationBanner,
    CharacterCount,
    Radios,
    Checkboxes,
    Button
  ]) {
    createAll(Component)
  }
  startCopyButtons()
  focusLandedEntry()
  startResume()
}

// "Save and come back later": the emailed link's key is in its fragment, which no request
// carries. It goes into the page's form (a POST body), out of the address bar and history, and
// the form is sent. Without script the page asks for the key to be pasted.
function startResume () {
  const form = document.querySelector('[data-module="app-resume"]')
  const key = window.location.hash.slice(1)
  if (!form || !key) return
  window.history.replaceState(null, '', window.location.pathname)
  form.querySelector('input[name="key"]').value = key
  form.submit()
}

// GOV.UK's Exit this page, but leaving by `location.replace`: the page being left is taken out
// of the history, so Back from the neutral site does not come back to it. Its link goes through
// the form's exit, which has already deleted the answers on the server.
class LeaveWithoutTrace extends ExitThisPage {
  exitPage () {
    if (!this.$updateSpan) return
    this.$updateSpan.textContent = ''
    document.body.classList.add('govuk-exit-this-page-hide-content')
    window.location.replace(this.$button.href)
  }
}

// "Add another" and "Remove" land on the entry they changed (the URL's fragment names its first
// box): the browser scrolls there; this puts the focus there too, so typing can start.
function focusLandedEntry () {
  if (!window.location.hash) return
  const target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)))
  if (target && target.matches('input, textarea, select')) target.focus()
}

// A journey page brought back from the browser's back-forward cache may show answers that Exit
// has since deleted: ask the server again, which shows the page only while its draft lives
// (otherwise the start of the form).
window.addEventListener('pageshow', (event) => {
  if (event.persisted && document.querySelector("[data-journey]")) {
    window.location.reload()
  }
})

// "Copy code" on the confirmation page. The button is in the page with `hidden` and shown only
// here, where the clipboard can be written: without script (or a clipboard) there is no button
// that does nothing, and the code is still on the page to write down.
function startCopyButtons () {
  if (!navigator.clipboard || !window.isSecureContext) return
  for (const button of document.querySelectorAll('[data-module="app-copy"]')) {
    const source = document.getElementById(button.getAttribute('data-copy-from'))
    const status = document.getElementById(button.getAttribute('data-copy-status'))
    if (!source || !status) continue
    button.hidden = false
    button.addEventListener('click', () => {
      navigator.clipboard.writeText(source.textContent.trim()).then(
        () => { status.textContent = 'Code copied. Paste it somewhere safe, then copy something else so it is not left on this device.' },
        () => { status.textContent = 'The code could not be copied. Write it down instead.' }
      )
    })
  }
}

if (document.body) {
  start()
} else {
  document.addEventListener('DOMContentLoaded', start)
}
