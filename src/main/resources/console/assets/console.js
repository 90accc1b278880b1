// Tollgate console: progressive enhancement only; every page works without this script.
(function () {
  'use strict';

  function meta(name) {
    var m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.getAttribute('content') : null;
  }

  // Filter forms: leave empty fields out of the URL, so a pasted link names only the filters in use.
  document.querySelectorAll('form.filters').forEach(function (form) {
    form.addEventListener('submit', function () {
      form.querySelectorAll('input, select').forEach(function (field) {
        if (field.name && field.value === '') {
          field.disabled = true;
        }
      });
    });
  });

  // The policy editor: the compiler's diagnostics, at their line and column, as you type.
  var editor = document.getElementById('editor');
  if (editor) {
    var source = document.getElementById('source');
    var list = document.getElementById('diagnostics');
    var state = document.getElementById('diagnostics-state');
    var timer = null;
    var sent = 0;

    var check = function () {
      var mine = ++sent;
      var body = new URLSearchParams();
      body.set('source', source.value);
      var headers = { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8', 'Accept': 'application/json' };
      headers[meta('csrf-header')] = meta('csrf-token');
      fetch(editor.getAttribute('data-diagnostics'), { method: 'POST', headers: headers, body: body.toString(),
        credentials: 'same-origin' })
        .then(function (response) {
          if (!response.ok) {
            throw new Error('the server answered ' + response.status);
          }
          return response.json();
        })
        .then(function (answer) {
          if (mine !== sent) {
            return;
          }
          list.replaceChildren();
          answer.errors.forEach(function (d) {
            var item = document.createElement('li');
            item.className = 'diagnostic';
            item.setAttribute('data-line', d.line);
            item.setAttribute('data-column', d.column);
            item.textContent = 'line ' + d.line + ', column ' + d.column + ': ' + d.message + ' (' + d.code + ')';
            list.appendChild(item);
          });
          state.textContent = answer.errors.length === 0 ? 'No errors.' : answer.errors.length + ' error(s).';
        })
        .catch(function (e) {
          state.textContent = 'Cannot check: ' + e.message;
        });
    };

    source.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(check, 300);
    });
    editor.addEventListener('submit', function (event) {
      if (event.submitter && event.submitter.hasAttribute('formaction')) {
        return; // "evaluate against a decision": a real form post to its own page
      }
      event.preventDefault();
      check();
    });
    check();
  }
}());
