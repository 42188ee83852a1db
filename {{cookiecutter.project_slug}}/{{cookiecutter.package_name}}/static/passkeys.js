// Passkeys (WebAuthn) in the browser: accounts/passkeys.py is the server side.
//
// Two kinds of element, each shown only where the browser can make or use
// passkeys: a form.passkey-create registers a new one (the account page);
// a .passkey-get uses one (logging in, the login's second step, the confirm
// page). Each names its two endpoints in data-options and data-verify: the
// first gives the options (JSON, binary values in base64url), the second
// takes the browser's answer and says where to go next. A file of its own,
// as the Content-Security-Policy allows no inline script.
"use strict";

(function () {
  if (!window.PublicKeyCredential) {
    return; // the elements stay hidden
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var text = "";
    for (var i = 0; i < bytes.length; i++) {
      text += String.fromCharCode(bytes[i]);
    }
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromBase64url(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function withBinaryIds(descriptors) {
    return (descriptors || []).map(function (descriptor) {
      return Object.assign({}, descriptor, { id: fromBase64url(descriptor.id) });
    });
  }

  // The options as navigator.credentials wants them: bytes, not text.
  function creationOptions(json) {
    return Object.assign({}, json, {
      challenge: fromBase64url(json.challenge),
      user: Object.assign({}, json.user, { id: fromBase64url(json.user.id) }),
      excludeCredentials: withBinaryIds(json.excludeCredentials),
    });
  }

  function requestOptions(json) {
    return Object.assign({}, json, {
      challenge: fromBase64url(json.challenge),
      allowCredentials: withBinaryIds(json.allowCredentials),
    });
  }

  // The browser's answer as the server reads it (WebAuthn's JSON form).
  function registrationJSON(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      response: {
        clientDataJSON: toBase64url(response.clientDataJSON),
        attestationObject: toBase64url(response.attestationObject),
        transports: response.getTransports ? response.getTransports() : [],
      },
      clientExtensionResults: credential.getClientExtensionResults(),
    };
  }

  function assertionJSON(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      response: {
        clientDataJSON: toBase64url(response.clientDataJSON),
        authenticatorData: toBase64url(response.authenticatorData),
        signature: toBase64url(response.signature),
        userHandle: response.userHandle ? toBase64url(response.userHandle) : null,
      },
      clientExtensionResults: credential.getClientExtensionResults(),
    };
  }

  // A page that needs a fresh proof first (sudo) or a login answers with a
  // redirect rather than JSON: the browser is sent there instead.
  function NeedsPage() {}

  async function post(element, url, body) {
    var response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": element.dataset.csrfToken, // Flask-WTF's CSRFProtect reads it
      },
      body: JSON.stringify(body || {}),
    });
    var type = response.headers.get("Content-Type") || "";
    if (response.type === "opaqueredirect" || type.indexOf("application/json") === -1) {
      throw new NeedsPage();
    }
    var answer = await response.json();
    if (!response.ok) {
      throw new Error(answer.message || "Something went wrong. Try again.");
    }
    return answer;
  }

  function say(element, text) {
    element.querySelector(".passkey-message").textContent = text;
  }

  function failed(element, error) {
    if (error instanceof NeedsPage) {
      window.location.assign(element.dataset.confirm || window.location.href);
    } else if (error && (error.name === "NotAllowedError" || error.name === "AbortError")) {
      say(element, "No passkey was used.");
    } else if (error && error.name === "InvalidStateError") {
      say(element, "This device holds one of your passkeys already.");
    } else {
      say(element, (error && error.message) || "Something went wrong. Try again.");
    }
  }

  async function register(form) {
    var name = form.querySelector("input[name=name]").value.trim();
    if (!name) {
      say(form, "Give the passkey a name.");
      return;
    }
    say(form, "Follow your browser's steps to make the passkey.");
    var options = await post(form, form.dataset.options, { name: name });
    var credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
    var answer = await post(form, form.dataset.verify, { credential: registrationJSON(credential) });
    window.location.assign(answer.next);
  }

  async function use(element) {
    say(element, "Follow your browser's steps to use your passkey.");
    var options = await post(element, element.dataset.options);
    var credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
    var remember = element.dataset.remember && document.getElementById(element.dataset.remember);
    var answer = await post(element, element.dataset.verify, {
      credential: assertionJSON(credential),
      remember: Boolean(remember && remember.checked),
    });
    window.location.assign(answer.next);
  }

  document.querySelectorAll("form.passkey-create").forEach(function (form) {
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      register(form).catch(function (error) {
        failed(form, error);
      });
    });
  });

  document.querySelectorAll(".passkey-get").forEach(function (element) {
    element.hidden = false;
    element.querySelector("button").addEventListener("click", function () {
      use(element).catch(function (error) {
        failed(element, error);
      });
    });
  });
})();
