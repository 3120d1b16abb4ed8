// Skill autocomplete for the search pages: suggestions come from GET /api/v1/search/skills/;
// choosing one adds it to the form's skills and submits. Without JavaScript the facets and the
// category filter still narrow by skill.
(function () {
  "use strict";
  document.querySelectorAll("[data-skill-picker]").forEach(function (picker) {
    var input = picker.querySelector("[data-skill-input]");
    var list = picker.querySelector("datalist");
    var url = picker.getAttribute("data-suggest-url");
    var bySlug = {};
    var timer = null;
    if (!input || !list || !url) return;
    function choose(value) {
      var slug = bySlug[value];
      if (!slug) return false;
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "skills";
      hidden.value = slug;
      picker.appendChild(hidden);
      input.value = "";
      var form = picker.closest("form");
      var page = form.querySelector("input[name=page]");
      if (page) page.remove();
      form.submit();
      return true;
    }
    input.addEventListener("input", function () {
      if (choose(input.value)) return;
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) return;
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (page) {
            var items = page.results || [];
            list.innerHTML = "";
            bySlug = {};
            items.forEach(function (item) {
              var label = item.name + " · " + item.category_name;
              bySlug[label] = item.slug;
              var option = document.createElement("option");
              option.value = label;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && choose(input.value)) event.preventDefault();
    });
  });
})();
