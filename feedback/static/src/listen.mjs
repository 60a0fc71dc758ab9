// Listen: reads an easy-read page aloud, line by line, highlighting the line being read, with
// Pause (then Resume) and Stop. Shown only where the device can really speak: the Web Speech API
// is there and has at least one voice (Chrome fills the list late, on "voiceschanged"). Without
// JavaScript the controls stay hidden; every page works without them.

// What is read, in page order: headings, easy-read lines, hints, errors, answers, the panel and
// paragraphs. Only the outermost match is read (a legend holds the question's heading).
const READABLE = [
  'h1', 'h2', 'legend', 'label', '.govuk-hint', '.govuk-error-summary__title', '.govuk-error-summary__list a',
  '.govuk-error-message', '.app-er-list__item', '.govuk-panel__title', '.govuk-panel__body', 'p.govuk-body',
  'p.govuk-body-l', '.govuk-summary-list__key', '.govuk-summary-list__value', '.govuk-inset-text', '.app-progress span'
].join(', ')
const READING = 'app-listen-reading'

let reading = null // {lines, index, controls, paused, id}
let readingId = 0

function canSpeak () {
  return 'speechSynthesis' in window && typeof window.SpeechSynthesisUtterance === 'function' &&
    typeof window.speechSynthesis.getVoices === 'function' && window.speechSynthesis.getVoices().length > 0
}

function tidy (text) {
  // Words under pictures are blocks of their own, so innerText puts line breaks around them.
  return text.replace(/\s+/g, ' ').replace(/ ([?.!,;:])/g, '$1').trim()
}

function linesOf (scope) {
  const found = [...scope.querySelectorAll(READABLE)].filter((el) =>
    !el.closest('[data-listen-controls], [hidden], .govuk-visually-hidden') &&
    (typeof el.checkVisibility !== 'function' || el.checkVisibility()))
  return found.filter((el) => !found.some((other) => other !== el && other.contains(el)))
    .map((el) => ({ el, text: tidy(el.innerText) }))
    .filter((line) => line.text)
}

function show (controls, state) {
  const label = controls.querySelector('[data-listen-label]')
  const stop = controls.querySelector('[data-listen-stop]')
  label.textContent = state === 'reading' ? 'Pause' : state === 'paused' ? 'Carry on' : 'Listen'
  stop.hidden = state === 'stopped'
}

function clearHighlight () {
  for (const el of document.querySelectorAll('.' + READING)) el.classList.remove(READING)
}

function stopReading () {
  if (!reading) return
  const { controls } = reading
  reading = null // set first: cancel() ends the current line, which must not start the next
  window.speechSynthesis.cancel()
  clearHighlight()
  if (controls.isConnected) show(controls, 'stopped')
}

function speakNext (id) {
  if (!reading || reading.id !== id) return
  const line = reading.lines[reading.index]
  clearHighlight()
  if (!line) {
    const { controls } = reading
    reading = null
    show(controls, 'stopped')
    return
  }
  const utterance = new window.SpeechSynthesisUtterance(/[.?!:]$/.test(line.text) ? line.text : line.text + '.')
  utterance.lang = 'en-GB'
  utterance.rate = 0.9
  utterance.onstart = () => {
    if (!reading || reading.id !== id) return
    line.el.classList.add(READING)
    line.el.scrollIntoView({ block: 'nearest' })
  }
  const next = () => {
    if (!reading || reading.id !== id) return
    line.el.classList.remove(READING)
    reading.index += 1
    speakNext(id)
  }
  utterance.onend = next
  utterance.onerror = next
  window.speechSynthesis.speak(utterance)
}

function toggle (controls) {
  if (reading && reading.controls === controls) {
    if (reading.paused) {
      reading.paused = false
      window.speechSynthesis.resume()
      show(controls, 'reading')
    } else {
      reading.paused = true
      window.speechSynthesis.pause()
      show(controls, 'paused')
    }
    return
  }
  stopReading()
  const scope = document.querySelector(controls.dataset.listenControls) || document.getElementById('main-content')
  readingId += 1
  reading = { lines: linesOf(scope), index: 0, controls, paused: false, id: readingId }
  window.speechSynthesis.cancel()
  show(controls, 'reading')
  speakNext(readingId)
}

function refresh () {
  const speak = canSpeak()
  for (const controls of document.querySelectorAll('[data-listen-controls]')) controls.hidden = !speak
  if (!speak) stopReading()
}

export function setUpListen (scope) {
  if (!('speechSynthesis' in window)) return
  for (const controls of scope.querySelectorAll('[data-listen-controls]')) {
    if (controls.dataset.listenReady) continue
    controls.dataset.listenReady = 'true'
    controls.querySelector('[data-listen-play]').addEventListener('click', () => toggle(controls))
    controls.querySelector('[data-listen-stop]').addEventListener('click', stopReading)
  }
  refresh()
}

if ('speechSynthesis' in window && typeof window.speechSynthesis.addEventListener === 'function') {
  window.speechSynthesis.addEventListener('voiceschanged', refresh)
}
// A new page (htmx swap) or leaving the page stops the reading.
document.body.addEventListener('htmx:beforeSwap', stopReading)
window.addEventListener('pagehide', () => { if (reading) stopReading() })
