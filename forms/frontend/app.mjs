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
    ExitThisPage,
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
}

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
