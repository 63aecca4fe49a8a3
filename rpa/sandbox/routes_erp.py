"""ERP screens other than orders: dashboard, customers, products and returns (RMAs)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select

from rpa.sandbox import repository
from rpa.sandbox.auth import CurrentUser
from rpa.sandbox.models import ORDER_STATUSES, Product, ReturnAuthorization, SalesOrder
from rpa.sandbox.web import DbSession, redirect, render

router = APIRouter()
LOW_STOCK = 5


@router.get("/")
def home() -> RedirectResponse:
    """The ERP is the landing page."""
    return redirect("/erp")


@router.get("/erp", response_class=HTMLResponse)
def dashboard(request: Request, db: DbSession, user: CurrentUser) -> HTMLResponse:
    """Order counts by status, low stock and the latest orders."""
    counts = dict(db.execute(select(SalesOrder.status, func.count()).group_by(SalesOrder.status)).all())
    context = {
        "counts": [(status, counts.get(status, 0)) for status in ORDER_STATUSES],
        "low_stock": list(
            db.scalars(select(Product).where(Product.stock <= LOW_STOCK).order_by(Product.stock))
        ),
        "latest": repository.search_orders(db, "", "", 1).items[:8],
        "open_returns": db.scalar(
            select(func.count()).select_from(ReturnAuthorization).where(ReturnAuthorization.status == "open")
        ),
        "user": user,
    }
    return render(request, "dashboard.html", context)


@router.get("/erp/customers", response_class=HTMLResponse)
def customer_list(
    request: Request, db: DbSession, user: CurrentUser, q: str = "", page: int = 1
) -> HTMLResponse:
    """Customers with search and pagination."""
    result = repository.search_customers(db, q.strip()[:200], page)
    return render(request, "customers.html", {"result": result, "q": q[:200]})


@router.get("/erp/customers/{customer_id}", response_class=HTMLResponse)
def customer_detail(request: Request, db: DbSession, user: CurrentUser, customer_id: str) -> HTMLResponse:
    """A customer's record and orders."""
    customer = repository.get_customer(db, customer_id)
    context = {"customer": customer, "orders": repository.customer_orders(db, customer.id)}
    return render(request, "customer_detail.html", context)


@router.get("/erp/products", response_class=HTMLResponse)
def product_list(request: Request, db: DbSession, user: CurrentUser, q: str = "") -> HTMLResponse:
    """The catalogue with price and stock."""
    products = repository.search_products(db, q.strip()[:200])
    return render(request, "products.html", {"products": products, "q": q[:200]})


@router.get("/erp/returns", response_class=HTMLResponse)
def return_list(
    request: Request, db: DbSession, user: CurrentUser, q: str = "", page: int = 1
) -> HTMLResponse:
    """RMAs with search and pagination."""
    result = repository.search_returns(db, q.strip()[:200], page)
    return render(request, "returns.html", {"result": result, "q": q[:200]})


@router.get("/erp/returns/{rma_id}", response_class=HTMLResponse)
def return_detail(request: Request, db: DbSession, user: CurrentUser, rma_id: str) -> HTMLResponse:
    """One RMA."""
    rma = repository.get_return(db, rma_id)
    names = {sku: product.name for sku, product in repository.products_by_sku(db).items()}
    return render(request, "return_detail.html", {"rma": rma, "names": names})
