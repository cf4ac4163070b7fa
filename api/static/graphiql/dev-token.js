// The demo login's token page: "Open GraphiQL with this token" hands the token over to
// GraphiQL (read once by alliance-graphiql.js) through this tab's session storage, never
// through a URL, where it would stay in the history.
(function () {
  "use strict";

  const button = document.getElementById("open-graphiql");
  button.addEventListener("click", function () {
    const token = document.getElementById("token").textContent.trim();
    const headers = JSON.stringify({ Authorization: "Bearer " + token }, null, 2);
    window.sessionStorage.setItem("alliance:graphiql-headers", headers);
    window.location.assign("/graphql");
  });
})();
