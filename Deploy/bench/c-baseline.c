/*
 * The C limit for Deploy/bench/run.sh: the least a FastCGI responder on libfcgi can do per request.
 * Same process model as `pgassist serve`: it accepts on fd 0 (the socket spawn-fcgi hands over),
 * runs THREADS request threads (argv[1], default 2), each with its own FCGX_Request, and
 * serializes FCGX_Accept_r with a mutex (libfcgi does no locking on Linux). Every request gets
 * the same JSON body, shaped like GET /api/ai/assistant/thread's answer; nothing is read or looked up.
 *
 * Build: gcc -O2 -o c-baseline c-baseline.c -lfcgi -lpthread
 * Run:   spawn-fcgi -n -s SOCK -M 0666 -- multiwatch -f 2 -- ./c-baseline 2
 */
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char body[] =
    "{\"threadId\":\"thread_0123456789abcdef01234567\",\"userId\":\"bench-user\",\"projectRef\":\"bench\","
    "\"createdAt\":\"2026-11-25T06:00:00.000Z\",\"updatedAt\":\"2026-11-25T06:00:00.000Z\",\"messageCount\":0}";

static pthread_mutex_t accept_lock = PTHREAD_MUTEX_INITIALIZER;
static char response[512];
static int response_length;

/* libfcgi's own TERM/USR1 handlers only note a stop for the next accept; stop at once instead. */
static void stop(int signal_number) {
    (void)signal_number;
    _exit(0);
}

static void *serve(void *unused) {
    (void)unused;
    FCGX_Request request;
    if (FCGX_InitRequest(&request, 0, 0) != 0) return NULL;
    for (;;) {
        pthread_mutex_lock(&accept_lock);
        int accepted = FCGX_Accept_r(&request);
        pthread_mutex_unlock(&accept_lock);
        if (accepted < 0) break;
        FCGX_PutStr(response, response_length, request.out);
        FCGX_Finish_r(&request);
    }
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    if (threads < 1 || threads > 1024) {
        fprintf(stderr, "c-baseline: THREADS must be from 1 to 1024\n");
        return 2;
    }
    response_length = snprintf(response, sizeof response,
                               "Status: 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                               strlen(body), body);
    if (FCGX_Init() != 0) return 1;
    signal(SIGTERM, stop);
    signal(SIGUSR1, stop);
    pthread_t ids[1024];
    for (int i = 1; i < threads; i++) pthread_create(&ids[i], NULL, serve, NULL);
    serve(NULL);
    for (int i = 1; i < threads; i++) pthread_join(ids[i], NULL);
    return 0;
}
