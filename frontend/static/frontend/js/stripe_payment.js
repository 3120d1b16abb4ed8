// Stripe's Payment Element for the escrow payment. Rendered only when Stripe keys are set; the
// client secret is on the form for the poster's owners and admins only. Success redirects to
// the contract page (return_url), which says "payment processing" until Stripe's webhook.
(function () {
  "use strict";
  var form = document.getElementById("stripe-payment");
  if (!form) return;
  var loading = document.getElementById("stripe-payment-loading");
  var errorBox = document.getElementById("stripe-payment-error");
  var button = form.querySelector("button[type=submit]");
  if (typeof window.Stripe !== "function") {
    if (loading) loading.textContent = form.dataset.unavailable || loading.textContent;
    button.disabled = true;
    return;
  }
  var lang = (document.documentElement.lang || "").toLowerCase();
  var stripe = window.Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({
    clientSecret: form.dataset.clientSecret,
    locale: lang.indexOf("zh") === 0 ? "zh" : "en",
  });
  var element = elements.create("payment");
  element.on("ready", function () {
    if (loading) loading.hidden = true;
  });
  element.mount("#stripe-payment-element");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    errorBox.hidden = true;
    stripe
      .confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } })
      .then(function (result) {
        // Reached only when the payment could not be confirmed; success leaves the page.
        if (result.error) {
          errorBox.firstElementChild.textContent = result.error.message;
          errorBox.hidden = false;
        }
        button.disabled = false;
      });
  });
})();
