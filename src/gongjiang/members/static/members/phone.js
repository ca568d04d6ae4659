// The phone home: registers the service worker (offline shell) and asks the phone where it is
// for the nearest stations. No inline scripts (CSP): everything here hooks data-* attributes.
(function () {
  "use strict";
  var me = document.getElementById("members-js");
  if ("serviceWorker" in navigator && me) {
    navigator.serviceWorker
      .register(me.dataset.sw, { scope: me.dataset.scope })
      .then(function () { document.documentElement.dataset.sw = "registered"; })
      .catch(function () { document.documentElement.dataset.sw = "failed"; });
  }
  document.querySelectorAll("[data-locate]").forEach(function (button) {
    button.addEventListener("click", function () {
      var form = document.getElementById(button.dataset.locate);
      var status = document.getElementById("locate-status");
      if (!navigator.geolocation) { if (status) status.hidden = false; return; }
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.elements.lat.value = pos.coords.latitude.toFixed(6);
        form.elements.lon.value = pos.coords.longitude.toFixed(6);
        form.submit();
      }, function () {
        button.disabled = false;
        if (status) status.hidden = false;
      }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 });
    });
  });
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (e) { if (!window.confirm(el.dataset.confirm)) e.preventDefault(); });
  });
})();
