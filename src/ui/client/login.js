// A sign-in link printed by `ascend-train ui` carries the token after '#', which browsers never send to a server:
// this fills the form from it, removes it from the address bar and history, and submits the form once. The link may
// also be opened over the sign-in page itself, which only changes the fragment (hashchange).
(() => {
  const signInFromFragment = () => {
    const m = /[#&]token=([^&]+)/.exec(location.hash);
    if (!m) return;
    history.replaceState(null, "", location.pathname + location.search);
    document.getElementById("token").value = decodeURIComponent(m[1]);
    document.getElementById("login-form").submit();
  };
  window.addEventListener("hashchange", signInFromFragment);
  signInFromFragment();
})();
