// Event mode (a shared tablet): when nobody has saved for the idle time, hand the tablet over.
// Pressing "Finish and hand over" keeps whatever is valid on this page; the server ends the turn
// at the same time anyway, and without JavaScript the page's meta refresh goes back to the start.
let timer = null

export function watchKioskIdle (root = document) {
  if (timer) window.clearTimeout(timer)
  timer = null
  const marker = root.querySelector('[data-kiosk-idle-seconds]')
  if (!marker) return
  const seconds = Number(marker.dataset.kioskIdleSeconds)
  if (!(seconds > 0)) return
  // A second early, so the page's answers are saved before the server's own idle time runs out.
  const delay = Math.max(seconds - 1, 1) * 1000
  timer = window.setTimeout(() => {
    const button = document.querySelector('[data-kiosk-hand-over]')
    if (button && button.form) {
      button.click()
    } else {
      window.location.replace(marker.dataset.kioskResetUrl)
    }
  }, delay)
}
