// twfollow.hpp: a header-only C++11 wrapper over the twfollow C API.
//
//   twfollow::Client client("consumer key", "consumer secret", "token", "token secret");
//   std::string json = client.follow("@twitterdev");   // throws twfollow::Error on failure
//
// Client owns its TwConfig (RAII, move-only). One Client may serve many threads
// calling follow() at once; setters must not run while calls do.
//
// Getting a user's tokens: OAuth1Flow (PIN or callback) and OAuth2Flow (PKCE), and
// Client::oauth2 for OAuth 2.0 user tokens with a token callback (twfollow/client.hpp).
#ifndef TWFOLLOW_HPP
#define TWFOLLOW_HPP

// The parts, in bindings/c/twfollow/ (installed as include/twfollow/): each includes the
// ones it builds on.
#include "twfollow/common.hpp"
#include "twfollow/client.hpp"
#include "twfollow/flows.hpp"
#include "twfollow/store.hpp"

namespace twfollow {

inline std::string version() { return tw_version(); }

} // namespace twfollow

#endif // TWFOLLOW_HPP
