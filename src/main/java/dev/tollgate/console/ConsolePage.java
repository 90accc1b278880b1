package dev.tollgate.console;

import dev.tollgate.web.ApiException;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.ui.Model;
import org.springframework.web.servlet.ModelAndView;

/**
 * What every console page shares: the navigation the caller may use, and errors of the services
 * (a bad filter, an unknown policy) shown as a page with the same status and detail the API gives.
 */
abstract class ConsolePage {

    protected final ConsoleAccess access;

    ConsolePage(ConsoleAccess access) {
        this.access = access;
    }

    @ModelAttribute
    void navigation(Model model) {
        model.addAttribute("nav", access.navigation());
    }

    @ExceptionHandler(ApiException.class)
    ModelAndView refused(ApiException e, HttpServletResponse response) {
        ModelAndView page = new ModelAndView("error");
        page.setStatus(org.springframework.http.HttpStatus.valueOf(e.getStatusCode().value()));
        page.addObject("status", e.getStatusCode().value());
        page.addObject("detail", e.getBody().getDetail());
        page.addObject("nav", access.navigation());
        return page;
    }
}
