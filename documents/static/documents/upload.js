// Upload progress. The form posts as usual without JavaScript; with it, the files go by
// XMLHttpRequest so the page can say how far the upload has got. The main part of the answer
// (the item page with its success message, or the upload page with its errors) then replaces
// this page's, and the NHS.UK components and this script start again there.
import { initAll } from '../nhsuk/nhsuk-frontend.min.js'

function enhance () {
  const form = document.querySelector('form[data-app-upload]')
  const box = document.querySelector('.app-upload-progress')
  if (!form || !box || !window.FormData || !window.XMLHttpRequest) {
    return
  }
  const bar = box.querySelector('progress')
  const text = box.querySelector('[data-progress-text]')

  form.addEventListener('submit', (event) => {
    const input = form.querySelector('input[type="file"]')
    if (!input || !input.files || input.files.length === 0) {
      return // the server says "Select a file to upload"
    }
    event.preventDefault()
    const request = new XMLHttpRequest()
    request.open('POST', form.action || window.location.href)
    request.upload.addEventListener('progress', (progress) => {
      if (progress.lengthComputable) {
        const percent = Math.round((progress.loaded / progress.total) * 100)
        bar.value = percent
        text.textContent = `Uploading: ${percent}%`
      }
    })
    request.addEventListener('load', () => {
      const answer = new DOMParser().parseFromString(request.responseText, 'text/html')
      const main = document.querySelector('main')
      const newMain = answer.querySelector('main')
      if (!main || !newMain) {
        text.textContent = 'Something went wrong. Reload the page and try again.'
        return
      }
      if (request.responseURL) {
        window.history.replaceState(null, '', request.responseURL)
      }
      document.title = answer.title
      main.replaceWith(newMain)
      initAll({ scope: newMain })
      enhance()
      const summary = newMain.querySelector('.nhsuk-error-summary')
      if (summary) {
        summary.focus()
      }
    })
    request.addEventListener('error', () => {
      text.textContent = 'The upload did not finish. Check your connection and try again.'
    })
    box.hidden = false
    bar.value = 0
    text.textContent = 'Uploading: 0%'
    request.send(new FormData(form))
  })
}

enhance()
