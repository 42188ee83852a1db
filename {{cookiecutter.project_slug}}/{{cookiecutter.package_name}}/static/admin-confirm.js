// Ask before deleting a row in the admin. Flask-Admin does it in an inline
// onclick handler, which the Content-Security-Policy blocks.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.matches("form[action*='/delete/']") && !window.confirm("Delete this record?")) {
    event.preventDefault();
  }
});
