// Autosave for workbook forms. htmx does the saving (the form's hx-* attributes post it as the
// member types and swap in the server's status note, with the new version number). This module
// only covers what the server cannot say:
// - a save that never reached the server (offline, timed out) or failed there: say so, and
//   that the text is still in the form;
// - a button pressed while an autosave is on its way: wait for it, so that the button's save is
//   based on the version the autosave produced rather than conflicting with it.
// - each text box says beside itself when it was saved: the page's status note sits after the
//   buttons, far below a box at the top of a long workbook. Each box gets its own status, a
//   polite live region made empty when the page loads, whose text is changed (never the
//   element replaced) after a save of what was typed in it. While a box's own status speaks,
//   the page's note stays silent, so nothing is announced twice.
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

const BOXES = 'textarea, input[type="text"]'

// A status region for each text box, right after it (before a character count's message).
function addFieldStatuses (form) {
  const statuses = new Map()
  form.querySelectorAll(BOXES).forEach((box) => {
    if (!box.id) return
    const note = document.createElement('p')
    note.className = 'nhsuk-body-s nhsuk-u-secondary-text-colour nhsuk-u-margin-bottom-2 app-field-save-status'
    note.id = box.id + '-save-status'
    note.setAttribute('role', 'status')
    note.setAttribute('aria-live', 'polite')
    note.dataset.fieldSaveStatus = box.name
    box.insertAdjacentElement('afterend', note)
    statuses.set(box, note)
  })
  return statuses
}

function tellBeside (note, text, failed) {
  if (!note) return
  note.classList.toggle('nhsuk-error-message', failed)
  note.classList.toggle('nhsuk-u-secondary-text-colour', !failed)
  note.textContent = text
}

function initAutosave (form) {
  const status = document.getElementById('autosave-status')
  if (!status) return
  let inFlight = 0
  let submitting = false
  let submitter = null
  const statuses = addFieldStatuses(form)
  let editing = null // the text box whose typing the next save carries

  // The page's note speaks only when what changed has no status of its own (a radio).
  status.removeAttribute('role')
  status.setAttribute('aria-live', 'polite')
  const followEdits = (event) => {
    editing = statuses.has(event.target) ? event.target : null
    status.setAttribute('aria-live', editing ? 'off' : 'polite')
  }
  form.addEventListener('input', followEdits)
  form.addEventListener('change', followEdits)

  form.addEventListener('htmx:afterSettle', () => {
    if (!editing) return
    const said = status.textContent.replace(/\s+/g, ' ').trim()
    if (said) tellBeside(statuses.get(editing), said, !!status.querySelector('.nhsuk-error-message'))
  })

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
    if (!event.detail.successful) {
      showFailure(status)
      if (editing) tellBeside(statuses.get(editing), FAILED, true)
    }
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
