// Passkeys (WebAuthn). Each <form data-passkey="register|login"> is an ordinary form with a
// hidden `credential` field; this script asks the server for options (data-options, JSON,
// with the form's CSRF token), lets the browser create or use a passkey, puts the result in
// the field and submits the form, so the answer is an ordinary page. Without JavaScript or
// WebAuthn the forms stay hidden and the page says passkeys need a browser that has them.
(function () {
  'use strict';
  if (!window.PublicKeyCredential || !navigator.credentials) return;

  function toBuffer(s) {
    var b64 = s.replace(/-/g, '+').replace(/_/g, '/');
    while (b64.length % 4) b64 += '=';
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }
  function toBase64url(buf) {
    var bytes = new Uint8Array(buf);
    var bin = '';
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function withIds(list) {
    return (list || []).map(function (c) {
      return { type: c.type || 'public-key', id: toBuffer(c.id), transports: c.transports };
    });
  }

  function created(cred) {
    var r = cred.response;
    return {
      id: cred.id,
      rawId: toBase64url(cred.rawId),
      type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults(),
      response: {
        clientDataJSON: toBase64url(r.clientDataJSON),
        attestationObject: toBase64url(r.attestationObject),
        transports: typeof r.getTransports === 'function' ? r.getTransports() : [],
      },
    };
  }
  function asserted(cred) {
    var r = cred.response;
    return {
      id: cred.id,
      rawId: toBase64url(cred.rawId),
      type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults(),
      response: {
        clientDataJSON: toBase64url(r.clientDataJSON),
        authenticatorData: toBase64url(r.authenticatorData),
        signature: toBase64url(r.signature),
        userHandle: r.userHandle ? toBase64url(r.userHandle) : undefined,
      },
    };
  }

  document.querySelectorAll('form[data-passkey]').forEach(function (form) {
    var status = form.querySelector('[data-passkey-status]');
    form.hidden = false;
    document.querySelectorAll('[data-passkey-fallback]').forEach(function (el) {
      el.hidden = true;
    });
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (!form.reportValidity()) return;
      var token = form.querySelector('input[name="_csrf"]').value;
      if (status) status.textContent = status.getAttribute('data-busy');
      fetch(form.getAttribute('data-options'), {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'x-csrf-token': token },
      })
        .then(function (res) {
          if (res.redirected) {
            window.location.href = res.url;
            throw new Error('redirected');
          }
          return res.json();
        })
        .then(function (o) {
          if (form.getAttribute('data-passkey') === 'register') {
            o.challenge = toBuffer(o.challenge);
            o.user.id = toBuffer(o.user.id);
            o.excludeCredentials = withIds(o.excludeCredentials);
            return navigator.credentials.create({ publicKey: o }).then(created);
          }
          o.challenge = toBuffer(o.challenge);
          o.allowCredentials = withIds(o.allowCredentials);
          return navigator.credentials.get({ publicKey: o }).then(asserted);
        })
        .then(function (json) {
          form.querySelector('input[name="credential"]').value = JSON.stringify(json);
          form.submit();
        })
        .catch(function (err) {
          if (err && err.message === 'redirected') return;
          if (status) status.textContent = status.getAttribute('data-failed');
        });
    });
  });
})();
