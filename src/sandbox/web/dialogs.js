// The sandbox chat page's two forms: "New user" (first name, last name, username, language)
// and "New group" (title, type, members). They post to /_chat/users and /_chat/groups through
// the controller's api() and hand the result back to it; a 400 is shown in the form. Native
// <dialog> elements, so Escape and focus handling come from the browser.
"use strict";

window.SandboxDialogs = (() => {
  const $ = (id) => document.getElementById(id);

  // `app`: { api, toast, users(), currentUserId(), userCreated(user), groupCreated(chat) }.
  function wire(app) {
    function open(dialog, form) {
      form.reset();
      dialog.querySelector(".form-error").textContent = "";
      dialog.showModal();
    }

    function openUserDialog() {
      open($("user-dialog"), $("user-form"));
    }

    function openGroupDialog() {
      const users = app.users();
      if (users.length === 0) {
        app.toast("Create a user first", "error");
        return;
      }
      $("group-members").replaceChildren(...users.map((u) => {
        const label = document.createElement("label");
        label.className = "member";
        const box = document.createElement("input");
        box.type = "checkbox";
        box.value = String(u.id);
        box.defaultChecked = u.id === app.currentUserId();  // what form.reset() restores
        box.dataset.testid = "group-member";
        label.append(box, " " + window.SandboxFormat.fullName(u));
        return label;
      }));
      open($("group-dialog"), $("group-form"));
    }

    async function submit(event, dialog, create) {
      event.preventDefault();
      const error = dialog.querySelector(".form-error");
      error.textContent = "";
      try {
        await create(new FormData(event.target));
        dialog.close();
      } catch (err) {
        error.textContent = err.message.replace(/^Bad Request: /, "");
      }
    }

    async function createUser(form) {
      const body = {};
      for (const key of ["first_name", "last_name", "username", "language_code"]) {
        const value = String(form.get(key) || "").trim();
        if (value) body[key] = value;
      }
      await app.userCreated(await app.api("POST", "users", { body }));
    }

    async function createGroup(form) {
      const members = [...$("group-members").querySelectorAll("input:checked")]
        .map((box) => Number(box.value));
      const body = { title: String(form.get("title") || ""), type: form.get("type"),
                     member_ids: members };
      await app.groupCreated(await app.api("POST", "groups", { body }));
    }

    $("new-user-button").addEventListener("click", openUserDialog);
    $("welcome-create-user").addEventListener("click", openUserDialog);
    $("new-group-button").addEventListener("click", openGroupDialog);
    $("user-form").addEventListener("submit",
      (event) => submit(event, $("user-dialog"), createUser));
    $("group-form").addEventListener("submit",
      (event) => submit(event, $("group-dialog"), createGroup));
    for (const button of document.querySelectorAll("dialog [data-close]")) {
      button.addEventListener("click", () => button.closest("dialog").close());
    }
  }

  return { wire };
})();
