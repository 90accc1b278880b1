package dev.tollgate.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/** @param maxBody the largest request body accepted on any endpoint; larger is 413 */
@ConfigurationProperties("tollgate.http")
record HttpProperties(@DefaultValue("4MB") DataSize maxBody) {
}
