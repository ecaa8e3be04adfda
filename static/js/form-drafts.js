// Keep what someone is typing in a form marked `data-keep-draft` (the portal's ask form), so a
// sign-out on time-out does not lose it: it is offered back when they return to the form after
// signing in again.
//
// The draft lives in sessionStorage: this tab only, gone when the tab is closed, never sent to
// the server. It is offered back only to the same account (the page's data-draft-owner), only
// into an empty form (a form the server filled, after an error, wins), and forgotten once the
// form has been sent and a signed-in page other than the form comes back.
const PREFIX = 'ctr-draft:'
const SENT = 'ctr-draft-sent'
const SKIP = new Set(['hidden', 'password', 'file', 'submit', 'button'])

function storage () {
  try {
    return window.sessionStorage
  } catch {
    return null
  }
}

function controls (form) {
  return [...form.elements].filter(
    (el) => el.name && !SKIP.has(el.type) && el.name !== 'csrfmiddlewaretoken'
  )
}

function valuesOf (form) {
  const values = {}
  for (const el of controls(form)) {
    if (el.type === 'radio' || el.type === 'checkbox') {
      if (el.checked) values[el.name] = [...(values[el.name] || []), el.value]
    } else {
      values[el.name] = el.value
    }
  }
  return values
}

// Nothing typed yet (a choice made by a link, ?kind=worry, does not count).
function isEmpty (form) {
  return controls(form).every(
    (el) => el.type === 'radio' || el.type === 'checkbox' || !el.value.trim()
  )
}

function restore (form, values) {
  for (const el of controls(form)) {
    if (!(el.name in values)) continue
    const value = values[el.name]
    if (el.type === 'radio' || el.type === 'checkbox') {
      el.checked = value.includes(el.value)
    } else {
      el.value = value
      el.dispatchEvent(new Event('input', { bubbles: true })) // the character count updates
    }
  }
}

function tellRestored (form) {
  const note = document.createElement('div')
  note.className = 'nhsuk-inset-text'
  note.id = 'draft-restored'
  note.setAttribute('role', 'status')
  const hidden = document.createElement('span')
  hidden.className = 'nhsuk-u-visually-hidden'
  hidden.textContent = 'Information: '
  const p = document.createElement('p')
  p.textContent =
    'We kept what you were writing before you were signed out. Check it, then send it.'
  note.append(hidden, p)
  form.before(note)
}

export function initFormDrafts (body) {
  const store = storage()
  if (!store) return
  const owner = body.dataset.draftOwner
  const forms = [...document.querySelectorAll('form[data-keep-draft]')]
  const keyOf = (form) => PREFIX + window.location.pathname + '#' + forms.indexOf(form)

  // A form was sent from this tab: if a signed-in page other than that form came back, it
  // arrived, and its draft goes. On the sign-in page (signed out first) it is kept.
  const sent = store.getItem(SENT)
  if (sent) {
    store.removeItem(SENT)
    const here = forms.some((form) => keyOf(form) === sent)
    if (owner && !here) store.removeItem(sent)
  }
  if (!owner) return

  for (const form of forms) {
    const key = keyOf(form)
    const saved = JSON.parse(store.getItem(key) || 'null')
    if (saved && saved.owner === owner && isEmpty(form)) {
      restore(form, saved.values)
      tellRestored(form)
    } else if (saved && saved.owner !== owner) {
      store.removeItem(key)
    }
    const save = () => store.setItem(key, JSON.stringify({ owner, values: valuesOf(form) }))
    form.addEventListener('input', save)
    form.addEventListener('change', save)
    form.addEventListener('submit', () => {
      save()
      store.setItem(SENT, key)
    })
  }
}
