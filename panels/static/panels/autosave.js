// Autosave for workbook forms. htmx does the saving (the form's hx-* attributes post it as the
// member types and swap in the server's status note, with the new version number). This module
// only covers what the server cannot say:
// - a save that never reached the server (offline, timed out) or failed there: say so, and
//   that the text is still in the form;
// - a button pressed while an autosave is on its way: wait for it, so that the button's save is
//   based on the version the autosave produced rather than conflicting with it.
// Without JavaScript, the form's buttons post it as usual.

const FAILED =
  'Not saved. Your text is still here. Check your connection, then select "Save" to try again.'

function showFailure (status) {
  const p = document.createElement('p')
  p.className = 'nhsuk-error-message'
  const hidden = document.createElement('span')
  hidden.className = 'nhsuk-u-visually-hidden'
  hidden.textContent = 'Error: '
  p.append(hidden, FAILED)
  status.replaceChildren(p)
}

function initAutosave (form) {
  const status = document.getElementById('autosave-status')
  if (!status) return
  let inFlight = 0
  let submitting = false
  let submitter = null

  form.addEventListener('htmx:beforeRequest', (event) => {
    if (submitting) {
      event.preventDefault() // the page is being saved by a button: no more autosaves
      return
    }
    // No "Saving…" note: changing the page here could move it under a pointer on its way to
    // a button (a save starts as the text box loses focus, on the button's mousedown).
    inFlight += 1
  })

  form.addEventListener('htmx:afterRequest', (event) => {
    inFlight = Math.max(0, inFlight - 1)
    if (!event.detail.successful) showFailure(status)
    if (submitting && inFlight === 0) {
      // Let htmx finish swapping in the new version before the button's save reads it.
      window.setTimeout(() => form.requestSubmit(submitter), 0)
    }
  })

  form.addEventListener('submit', (event) => {
    if (inFlight > 0) {
      event.preventDefault()
      submitting = true
      submitter = event.submitter
      return
    }
    submitting = true
  })
}

document.querySelectorAll('form[data-autosave]').forEach(initAutosave)
