package dev.tollgate;

import java.time.Clock;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/** Tollgate: the policy decision server for software supply-chain evidence. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class TollgateApplication {

    /** With a command ({@code tollgate --help}) the command line, which never starts Spring; else the server. */
    public static void main(String[] args) {
        if (dev.tollgate.cli.TollgateCommand.isCommand(args)) {
            System.exit(dev.tollgate.cli.TollgateCommand.run(args));
        }
        SpringApplication.run(TollgateApplication.class, args);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
