// Conditional radios without aria-expanded. The NHS.UK frontend marks a radio that reveals a
// question with aria-expanded (common/index.mjs, toggleConditionalInput), which ARIA does not
// allow on a radio: axe reports aria-allowed-attr, and some screen readers announce a radio
// "collapsed" (issue 23). The revealed question follows its radio in the page, so a screen
// reader meets it next; the attribute is taken off each time the frontend sets it.

export function initConditionalRadios (scope) {
  const radios = scope.querySelectorAll('input[type="radio"][aria-controls]')
  if (!radios.length) {
    return
  }
  const strip = (radio) => {
    if (radio.hasAttribute('aria-expanded')) {
      radio.removeAttribute('aria-expanded')
    }
  }
  const observer = new MutationObserver((records) => {
    records.forEach((record) => strip(record.target))
  })
  radios.forEach((radio) => {
    strip(radio)
    observer.observe(radio, { attributes: true, attributeFilter: ['aria-expanded'] })
  })
}
