* A neighbourhood kitchen and a bakery share 40 cook hours a week.
* Meals need rice, bread needs flour; choose how much of each to make
* to feed the most people (meals count 3, loaves 2).
NAME          KITCHEN
ROWS
 N  VALUE
 L  COOKHRS
 L  RICE
 L  FLOUR
COLUMNS
    MEALS     VALUE             -3   COOKHRS          0.5
    MEALS     RICE               1
    BREAD     VALUE             -2   COOKHRS         0.25
    BREAD     FLOUR              1
RHS
    RHS       COOKHRS           40   RICE              50
    RHS       FLOUR            100
ENDATA
