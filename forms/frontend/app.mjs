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
}

if (document.body) {
  start()
} else {
  document.addEventListener('DOMContentLoaded', start)
}
