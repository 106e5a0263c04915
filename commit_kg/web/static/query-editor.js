/* The query page's SPARQL editor: turns the form's textarea into a CodeMirror 5 editor with SPARQL
   syntax highlighting (vendor/codemirror/, MIT). Progressive enhancement: without this script the plain
   textarea works the same; with it, CodeMirror copies its text back into the textarea when the form is
   submitted, so the request is unchanged. No inline script, so the page keeps its Content-Security-Policy. */
(function () {
  "use strict";
  var area = document.getElementById("query-text");
  if (!area || typeof CodeMirror === "undefined") return;
  var label = document.querySelector("label[for='query-text']");
  var editor = CodeMirror.fromTextArea(area, {
    mode: "sparql",
    lineNumbers: true,
    indentUnit: 2,
    viewportMargin: Infinity,
    inputStyle: "contenteditable",
    screenReaderLabel: label ? label.textContent : "SPARQL query",
    extraKeys: {
      "Ctrl-Enter": function (cm) { cm.save(); area.form.requestSubmit(); },
      "Cmd-Enter": function (cm) { cm.save(); area.form.requestSubmit(); },
      Tab: false, "Shift-Tab": false  // keyboard users can leave the editor
    }
  });
  editor.getWrapperElement().classList.add("query-editor");
  editor.getWrapperElement().setAttribute("lang", "en");
  /* The label points at the hidden textarea: clicking it focuses the editor instead. */
  if (label) label.addEventListener("click", function (event) { event.preventDefault(); editor.focus(); });
})();
