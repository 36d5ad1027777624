/*
 * A librdkafka in-memory mock cluster (rdkafka_mock.h) in its own process, for bench/compare/run.sh.
 *
 *   mock_cluster [brokers]
 *
 * Prints "bootstrap HOST:PORT[,...]" on stdout once the cluster serves, then reads commands on
 * stdin, one per line, answering each with "ok" or "error ...":
 *   create TOPIC PARTITIONS    create a topic (replication factor 1)
 * It runs until SIGTERM or SIGINT (also after stdin closes).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
        (void)sig;
        stop_requested = 1;
}

int main(int argc, char **argv) {
        int brokers = argc > 1 ? atoi(argv[1]) : 1;
        char errstr[512];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        /* The handle only owns the mock cluster's threads; it never connects anywhere. */
        if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                fprintf(stderr, "conf: %s\n", errstr);
                return 1;
        }
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "rd_kafka_new: %s\n", errstr);
                return 1;
        }
        rd_kafka_mock_cluster_t *mcluster = rd_kafka_mock_cluster_new(rk, brokers < 1 ? 1 : brokers);
        if (!mcluster) {
                fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
                rd_kafka_destroy(rk);
                return 1;
        }

        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal; /* no SA_RESTART: a signal interrupts the blocking read below */
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);

        printf("bootstrap %s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
        printf("librdkafka %s\n", rd_kafka_version_str());
        fflush(stdout);

        char line[1024];
        while (!stop_requested && fgets(line, sizeof(line), stdin)) {
                char topic[512];
                int partitions;
                if (sscanf(line, "create %511s %d", topic, &partitions) == 2) {
                        rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mcluster, topic, partitions, 1);
                        if (err)
                                printf("error %s\n", rd_kafka_err2str(err));
                        else
                                printf("ok\n");
                } else {
                        printf("error unknown command\n");
                }
                fflush(stdout);
        }
        /* stdin closed (or a signal): if stdin was /dev/null, wait for the signal. */
        while (!stop_requested)
                pause();

        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(rk);
        return 0;
}
