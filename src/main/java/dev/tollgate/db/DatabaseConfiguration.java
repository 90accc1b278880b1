package dev.tollgate.db;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.aop.Advisor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.data.repository.Repository;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.StringUtils;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The database's time limits and the retry on broken connections, for every database Tollgate
 * uses: the pool ({@link BoundedDataSource}, for a configured {@code spring.datasource.url}; the
 * embedded quick start makes its own), the request deadline and the retry advice.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DatabaseProperties.class)
class DatabaseConfiguration {

    /** A configured database: the pool takes {@code spring.datasource.*} and {@code spring.datasource.hikari.*}. */
    @Bean(destroyMethod = "close")
    @ConfigurationProperties("spring.datasource.hikari")
    @Conditional(DatasourceUrl.class)
    BoundedDataSource dataSource(DataSourceProperties properties, DatabaseBudget budget) {
        BoundedDataSource dataSource = properties.initializeDataSourceBuilder().type(BoundedDataSource.class).build();
        if (StringUtils.hasText(properties.getName())) {
            dataSource.setPoolName(properties.getName());
        }
        dataSource.budget(budget);
        return dataSource;
    }

    /** Every request's database work must end within the budget from its arrival. */
    @Bean
    OncePerRequestFilter databaseDeadlineFilter(DatabaseBudget budget) {
        return new DeadlineFilter(budget);
    }

    /** The application's {@code TransactionTemplate}: its transactions are retried like {@code @Transactional} ones. */
    @Bean
    TransactionTemplate transactionTemplate(PlatformTransactionManager transactionManager, ObjectProvider<DatabaseRetry> retry) {
        return new TransactionTemplate(transactionManager) {
            @Override
            public <T> T execute(TransactionCallback<T> action) {
                return retry.getObject().withRetry(() -> super.execute(action));
            }
        };
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static Advisor databaseRetryAdvisor(ObjectProvider<DatabaseRetry> retry) {
        DefaultPointcutAdvisor advisor = new DefaultPointcutAdvisor(new Retried(), DatabaseRetry.advice(retry));
        advisor.setOrder(Ordered.LOWEST_PRECEDENCE - 100); // outside the transaction advice: a retry is a new transaction
        return advisor;
    }

    /** Where {@link DatabaseRetry} applies: Tollgate's transactions and repositories, and queries. */
    static final class Retried extends StaticMethodMatcherPointcut {
        @Override
        public boolean matches(Method method, Class<?> targetClass) {
            if (method.getDeclaringClass() == Object.class) {
                return false;
            }
            if (JdbcTemplate.class.isAssignableFrom(targetClass)) {
                return method.getName().startsWith("query");
            }
            if (!ours(targetClass)) {
                return false;
            }
            if (Repository.class.isAssignableFrom(targetClass)) {
                return true;
            }
            Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
            return AnnotatedElementUtils.hasAnnotation(specific, Transactional.class)
                    || AnnotatedElementUtils.hasAnnotation(targetClass, Transactional.class);
        }

        private static boolean ours(Class<?> type) {
            if (type.getName().startsWith("dev.tollgate.")) {
                return true;
            }
            if (Proxy.isProxyClass(type)) {
                for (Class<?> ifc : type.getInterfaces()) {
                    if (ifc.getName().startsWith("dev.tollgate.")) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /** Starts the request's deadline on arrival (before authentication, which reads tokens). */
    static final class DeadlineFilter extends OncePerRequestFilter implements Ordered {
        private final DatabaseBudget budget;

        DeadlineFilter(DatabaseBudget budget) {
            this.budget = budget;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            Deadline.set(budget.fromNow());
            try {
                chain.doFilter(request, response);
            } finally {
                Deadline.clear();
            }
        }

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE + 1;
        }
    }

    static final class DatasourceUrl implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return StringUtils.hasText(context.getEnvironment().getProperty("spring.datasource.url"));
        }
    }
}
