// Loaded at the top of <body>: the GOV.UK Frontend styles for JavaScript-enabled pages.
// A file of its own, so that the Content Security Policy needs no inline script.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
