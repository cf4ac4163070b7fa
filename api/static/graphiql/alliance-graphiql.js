// Starts GraphiQL on /graphql. Queries go to this page's own URL with the headers typed in
// the Headers tab (`{"Authorization": "Bearer <token>"}`); subscriptions over
// graphql-transport-ws on the same URL.
(function () {
  "use strict";

  const EXAMPLE_QUERY = `# Alliance GraphiQL. Every request needs an access token: put
#   {"Authorization": "Bearer <token>"}
# in the Headers tab below (the demo login at /login/dev fills it in for you).
# Run with Ctrl-Enter or the play button.

{
  viewer { kind roles member { legalName } }
}
`;
  // The demo login's token page leaves its token here for one hand-over (see dev-token.js).
  const HANDED_OVER = "alliance:graphiql-headers";

  const url = window.location.href.split(/[?#]/)[0];
  const subscriptionUrl = url.replace(/^http/, "ws");
  const fetcher = GraphiQL.createFetcher({ url, subscriptionUrl });

  const handedOver = window.sessionStorage.getItem(HANDED_OVER);
  window.sessionStorage.removeItem(HANDED_OVER);

  const props = {
    fetcher,
    defaultQuery: EXAMPLE_QUERY,
    defaultEditorToolsVisibility: true,
    plugins: [GraphiQLPluginExplorer.explorerPlugin()],
    inputValueDeprecation: true,
    isHeadersEditorEnabled: true,
    // A bearer token in the headers must not outlive the tab in localStorage.
    shouldPersistHeaders: false,
  };
  if (handedOver !== null) {
    props.headers = handedOver;
  }
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, props));
})();
