// The surprise maintenance notice blocks the page until someone acknowledges it.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-dismiss-modal]");
  if (button) {
    button.closest(".modal-backdrop").remove();
  }
});
