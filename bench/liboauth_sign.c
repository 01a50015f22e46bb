/* liboauth's oauth_sign_url2 on the follow request, for scripts/bench.sh.
   Prints "sign.liboauth <ns per call> ns". */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h> /* oauth.h uses size_t without including it */
#include <oauth.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(void) {
    const char *url = "https://api.twitter.com/1.1/friendships/create.json?user_id=2244994945&follow=false";
    double best = 1e30;
    int round, i;
    for (round = 0; round < 5; round++) {
        const int n = 5000;
        double started = now_ns(), per_call;
        for (i = 0; i < n; i++) {
            char *postargs = NULL;
            char *signed_url = oauth_sign_url2(url, &postargs, OA_HMAC, "POST", "xvz1evFS4wEEPTGEFPHBog",
                                               "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
                                               "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
                                               "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE");
            free(signed_url);
            free(postargs);
        }
        per_call = (now_ns() - started) / n;
        if (per_call < best) best = per_call;
    }
    printf("sign.liboauth %.3f ns\n", best);
    return 0;
}
