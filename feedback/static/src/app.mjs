// Progressive enhancement only: every page works without this file.
import htmx from 'htmx.org'
import {
  Button,
  CharacterCount,
  Checkboxes,
  ErrorSummary,
  NotificationBanner,
  PasswordInput,
  Radios,
  createAll
} from 'govuk-frontend'
import { setUpListen } from './listen.mjs'
import { watchKioskIdle } from './kiosk.mjs'

// The GOV.UK template does this with an inline script; our CSP forbids inline scripts.
document.body.classList.add('js-enabled', 'govuk-frontend-supported')

function initComponents (scope) {
  for (const Component of [Button, CharacterCount, Checkboxes, ErrorSummary, NotificationBanner, PasswordInput, Radios]) {
    createAll(Component, undefined, scope)
  }
}

initComponents(document)

// The skip link. GOV.UK's SkipLink component finds its target once, at start-up, but htmx replaces
// <main> on every page change, which left the link focusing a removed element (focus fell to
// <body>). So look the target up on each use, and focus it the way SkipLink does.
document.addEventListener('click', (event) => {
  const link = event.target.closest('a.govuk-skip-link')
  const target = link && link.hash ? document.getElementById(link.hash.slice(1)) : null
  if (!target) return
  if (!target.hasAttribute('tabindex')) {
    target.setAttribute('tabindex', '-1')
    target.addEventListener('blur', () => {
      target.removeAttribute('tabindex')
      target.classList.remove('govuk-skip-link-focused-element')
    }, { once: true })
  }
  target.classList.add('govuk-skip-link-focused-element')
  target.focus()
})

// After htmx swaps in a new page: start its components, move focus to the error summary
// (ErrorSummary focuses itself) or the new heading, and announce the new page title.
document.body.addEventListener('htmx:afterSettle', (event) => {
  const page = document.getElementById('page')
  if (!page) return
  // A part of a page swapped in as someone types (the builder's preview, the picture search)
  // must leave their focus and scroll where they are.
  const target = event.detail && event.detail.target
  if (target && target.id !== 'page' && !target.hasAttribute('hx-swap-oob')) return
  initComponents(page)
  if (!page.querySelector('.govuk-error-summary')) {
    const heading = page.querySelector('h1')
    if (heading) {
      heading.setAttribute('tabindex', '-1')
      heading.focus({ preventScroll: false })
    }
  }
  const announcer = document.getElementById('announcer')
  if (announcer) announcer.textContent = document.title
  window.scrollTo(0, 0)
})

// If the network drops, fall back to a normal page load so nothing is lost silently.
document.body.addEventListener('htmx:sendError', (event) => {
  const form = event.detail.elt.closest('form')
  if (form) {
    form.removeAttribute('hx-post')
    htmx.process(form)
    form.submit()
  }
})

window.htmx = htmx

// Read aloud on easy-read pages (listen.mjs).
setUpListen(document)
document.body.addEventListener('htmx:afterSettle', () => setUpListen(document))

watchKioskIdle(document)
document.body.addEventListener('htmx:afterSettle', () => watchKioskIdle(document))
